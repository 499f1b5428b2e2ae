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
  const grid = new AlbumGrid({
    api, albumId,
    onOpen: (photoId) => viewer.open(photoId),
    onChange: (ordered) => viewer.setOrder(ordered.map((p) => p.id)),
  });
  viewer = new PhotoViewer({ api, albumId, canDelete: owner, onDeleted: (id) => grid.remove(id) });

  const counts = [];
  if (Number.isFinite(album.photoCount)) counts.push(`${album.photoCount} photo${album.photoCount === 1 ? '' : 's'}`);
  if (Number.isFinite(album.faceCount)) counts.push(`${album.faceCount} face${album.faceCount === 1 ? '' : 's'}`);
  const findButton = h('button', {
    type: 'button', class: 'secondary',
    onclick: () => findMeView(context, { album }).then(() => app.prepend(h('p', {},
      h('button', { type: 'button', class: 'link-button', onclick: () => albumView(context) }, '← Back to the album')))),
  }, 'Find me in this album');
  const summary = h('section', { class: 'summary row spread' },
    h('p', { class: 'muted' }, counts.join(' · ') || ' ', owner ? ' · you own this album' : ''),
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
