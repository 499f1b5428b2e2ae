// An album (owner, admin or `view` link): uploads and share links for the owner, the grid, the photo
// view, and Find me.
import { findMeView } from './findme.js';
import { AlbumGrid } from './grid.js';
import { PhotoViewer } from './photo.js';
import { sharesPanel } from './shares.js';
import { h, show } from './ui.js';
import { Uploader } from './upload.js';

export async function albumView(context) {
  const { app, api, setTitle, albumId } = context;
  const album = await api.album(albumId);
  const owner = album.role === 'owner' || album.role === 'admin';
  setTitle(album.name || 'Album');

  let viewer;
  let grid;
  grid = new AlbumGrid({
    api, albumId,
    onOpen: (photoId) => viewer.open(photoId),
    onChange: (ordered) => {
      viewer.setOrder(ordered.map((p) => p.id));
      // Once every page is here the counts come from the photos themselves (they change as uploads land).
      if (grid?.done) showCounts(ordered.length, ordered.reduce((sum, p) => sum + (p.faceCount || 0), 0));
    },
  });
  viewer = new PhotoViewer({ api, albumId, canDelete: owner, onDeleted: (id) => grid.remove(id) });

  const countText = h('span', {});
  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const showCounts = (photos, faces) => {
    const counts = [];
    if (Number.isFinite(photos)) counts.push(plural(photos, 'photo'));
    if (Number.isFinite(faces)) counts.push(plural(faces, 'face'));
    countText.textContent = counts.join(' · ');
  };
  showCounts(album.photoCount, album.faceCount);
  const findButton = h('button', {
    type: 'button', class: 'secondary',
    onclick: () => findMeView(context, { album }).then(() => app.prepend(h('p', {},
      h('button', { type: 'button', class: 'link-button', onclick: () => albumView(context) }, '← Back to the album')))),
  }, 'Find me in this album');
  const summary = h('section', { class: 'summary row spread' },
    h('p', { class: 'muted' }, countText, owner ? ' · you own this album' : ''),
    findButton);

  const parts = [summary];
  if (owner) {
    const uploader = new Uploader({ api, albumId, onUploaded: (count) => grid.expect(count) });
    parts.push(uploader.element, sharesPanel({ api, albumId }));
  }
  parts.push(grid.element);
  show(app, parts);
  await grid.loadMore();
}
