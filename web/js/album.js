// An album (owner, admin or `view` link): uploads and share links for the owner, the grid, the photo
// view, People, and Find me.
import { findMeView } from './findme.js';
import { AlbumGrid } from './grid.js';
import { PhotoViewer } from './photo.js';
import { linkParams } from './links.js';
import { PeopleView } from './people.js';
import { sharesPanel } from './shares.js';
import { h, show } from './ui.js';
import { Uploader } from './upload.js';

export async function albumView(context) {
  const { app, api, setTitle, albumId } = context;
  const album = await api.album(albumId);
  const owner = album.role === 'owner' || album.role === 'admin';
  setTitle(album.name || 'Album');

  // One photo view for the album grid and a person's grid: ←/→ follow the grid it was opened from.
  const viewer = new PhotoViewer({
    api, albumId, canDelete: owner,
    onDeleted: (id) => { grid.remove(id); people.removePhoto(id); },
  });
  const openPhoto = (ids, photoId) => { viewer.setOrder(ids); viewer.open(photoId); };
  const grid = new AlbumGrid({
    api, albumId,
    onOpen: (photoId) => openPhoto(grid.ordered().map((p) => p.id), photoId),
    onChange: (ordered) => {
      // Once every page is here the counts come from the photos themselves (they change as uploads land).
      if (grid?.done) showCounts(ordered.length, ordered.reduce((sum, p) => sum + (p.faceCount || 0), 0));
    },
  });
  const people = new PeopleView({ api, albumId, canEdit: owner, openPhoto });

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

  // Photos and People as tabs; the open tab is kept in the link's fragment (`view=people`) for reloads.
  const photosPanel = h('div', { id: 'panel-photos', role: 'tabpanel', 'aria-labelledby': 'tab-photos' });
  if (owner) {
    const uploader = new Uploader({ api, albumId, onUploaded: (count) => grid.expect(count) });
    photosPanel.append(uploader.element, sharesPanel({ api, albumId }));
  }
  photosPanel.append(grid.element);
  const peoplePanel = h('div', { id: 'panel-people', role: 'tabpanel', 'aria-labelledby': 'tab-people', hidden: true }, people.element);
  const tab = (name, text, panel) => h('button', {
    type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': panel.id, 'data-test': `${name}-tab`,
    onclick: () => select(name), onkeydown: (event) => {
      if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') { event.preventDefault(); select(name === 'photos' ? 'people' : 'photos', true); }
    },
  }, text);
  const tabs = { photos: tab('photos', 'Photos', photosPanel), people: tab('people', 'People', peoplePanel) };
  function select(name, focus = false) {
    for (const [key, button] of Object.entries(tabs)) {
      button.setAttribute('aria-selected', String(key === name));
      button.tabIndex = key === name ? 0 : -1;
    }
    photosPanel.hidden = name !== 'photos';
    peoplePanel.hidden = name !== 'people';
    if (focus) tabs[name].focus();
    const params = linkParams();
    if (name === 'people') params.set('view', 'people');
    else params.delete('view');
    history.replaceState(null, '', `#${params}`);
    if (name === 'people') people.open();
  }
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Album views' }, tabs.photos, tabs.people);
  show(app, summary, tabList, photosPanel, peoplePanel);
  select(linkParams().get('view') === 'people' ? 'people' : 'photos');
  await grid.loadMore();
}
