// The operator's view (admin token): create albums and open any of them.
import { linkFor } from './links.js';
import { errorBox, formatDate, h, linkField, show, toast } from './ui.js';

export async function adminView({ app, api, setTitle, token }) {
  setTitle('Albums');
  const result = h('div', { class: 'result' });
  const list = h('ul', { class: 'album-list' });
  const nameId = 'album-name';
  const form = h('form', { class: 'panel', 'aria-labelledby': 'create-heading' },
    h('h2', { id: 'create-heading' }, 'Create an album'),
    h('label', { for: nameId }, 'Album name'),
    h('div', { class: 'row' },
      h('input', { id: nameId, name: 'name', required: true, maxLength: 200, autocomplete: 'off', placeholder: 'Summer wedding 2026' }),
      h('button', { type: 'submit', 'data-test': 'album-create' }, 'Create album')),
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const created = await api.createAlbum(form.elements.name.value.trim());
      const ownerUrl = linkFor({ album: created.album.id, token: created.ownerToken });
      show(result,
        h('p', {}, `Album “${created.album.name}” created. Its owner link is shown only once: copy it now.`),
        linkField(ownerUrl, 'Owner link', 'owner-link'),
        h('p', {}, h('a', { href: ownerUrl, class: 'button' }, 'Open the album')));
      form.reset();
      await refresh();
    } catch (error) {
      show(result, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });

  async function refresh() {
    const answer = await api.albums();
    const albums = answer?.albums || [];
    if (albums.length === 0) {
      show(list, h('li', { class: 'muted' }, 'No albums yet. Create the first one above.'));
      return;
    }
    show(list, albums.map(albumRow));
  }

  /** One album of the list: its link, and a Rename button that turns the row into a small form. */
  function albumRow(album) {
    const row = h('li', { 'data-test': 'album-row', 'data-album-id': album.id });
    const render = () => show(row,
      h('a', { href: linkFor({ album: album.id, token }), 'data-test': 'album-link' }, album.name || album.id),
      h('span', { class: 'muted' }, ` · created ${formatDate(album.createdAt)}`),
      Number.isFinite(album.photoCount) ? h('span', { class: 'muted' }, ` · ${album.photoCount} photos`) : null,
      h('button', {
        type: 'button', class: 'link-button rename', 'data-test': 'album-rename', 'aria-label': `Rename album “${album.name}”`,
        onclick: edit,
      }, 'Rename'));
    function edit() {
      const inputId = `rename-${album.id}`;
      const problem = h('div', { class: 'result' });
      const form = h('form', { class: 'rename-form', 'aria-label': `Rename album “${album.name}”` },
        h('label', { for: inputId }, 'New name'),
        h('div', { class: 'row' },
          h('input', { id: inputId, name: 'name', required: true, maxLength: 200, autocomplete: 'off', value: album.name, 'data-test': 'album-rename-input' }),
          h('button', { type: 'submit', 'data-test': 'album-rename-save' }, 'Save'),
          h('button', { type: 'button', class: 'secondary', onclick: render }, 'Cancel')),
        problem);
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        const buttons = form.querySelectorAll('button');
        buttons.forEach((b) => { b.disabled = true; });
        try {
          const answer = await api.renameAlbum(album.id, form.elements.name.value.trim());
          Object.assign(album, answer.album);
          render();
          row.querySelector('a').focus();
          toast('Album renamed');
        } catch (error) {
          show(problem, errorBox(error.code === 'BadRequest' ? 'An album name needs 1 to 200 characters (no control characters).' : error));
          buttons.forEach((b) => { b.disabled = false; });
          form.elements.name.focus();
        }
      });
      show(row, form);
      form.elements.name.select();
    }
    render();
    return row;
  }

  show(app, form, h('section', { class: 'panel', 'aria-labelledby': 'list-heading' },
    h('h2', { id: 'list-heading' }, 'All albums'), list));
  try {
    await refresh();
  } catch (error) {
    show(app, errorBox(error));
  }
}
