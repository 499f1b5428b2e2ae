// Share links (owner): make a `view` or `findme` link, copy it, list the links, revoke one.
import { linkFor } from './links.js';
import { errorBox, formatDate, h, linkField, show, toast } from './ui.js';

const SCOPES = {
  view: 'Can browse the album and find themselves',
  findme: 'Can only find photos of themselves',
};

export function sharesPanel({ api, albumId }) {
  const created = h('div', { class: 'result' });
  const list = h('ul', { class: 'share-list' });
  const form = h('form', { class: 'share-form' },
    h('div', { class: 'field' },
      h('label', { for: 'share-scope' }, 'Who gets the link'),
      h('select', { id: 'share-scope', name: 'scope' },
        h('option', { value: 'findme' }, 'Guests: find me only'),
        h('option', { value: 'view' }, 'Viewers: browse the album'))),
    h('div', { class: 'field' },
      h('label', { for: 'share-days' }, 'Expires after (days)'),
      h('input', { id: 'share-days', name: 'days', type: 'number', min: 1, max: 365, value: 30, required: true })),
    h('button', { type: 'submit', 'data-test': 'share-create' }, 'Create link'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const scope = form.elements.scope.value;
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const share = await api.createShare(albumId, scope, Number(form.elements.days.value));
      const url = linkFor({ album: albumId, token: share.token, scope: scope === 'findme' ? 'findme' : undefined });
      show(created,
        linkField(url, `New ${scope === 'findme' ? 'find-me' : 'view'} link (shown once: copy it now), expires ${formatDate(share.expiresAt)}`));
      await refresh();
    } catch (error) {
      show(created, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });

  async function revoke(share) {
    try {
      await api.revokeShare(albumId, share.shareId);
      toast('Link revoked');
      await refresh();
    } catch (error) {
      show(created, errorBox(error));
    }
  }

  async function refresh() {
    const answer = await api.shares(albumId);
    const shares = answer?.shares || [];
    if (shares.length === 0) {
      show(list, h('li', { class: 'muted' }, 'No links yet.'));
      return;
    }
    show(list, shares.map((share) => h('li', { 'data-share-id': share.shareId },
      h('span', {}, h('strong', {}, share.scope === 'findme' ? 'Find me' : 'View'), ` · ${SCOPES[share.scope] || share.scope}`),
      h('span', { class: 'muted small' }, `created ${formatDate(share.createdAt)}, expires ${formatDate(share.expiresAt)}`),
      h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${share.scope} link created ${formatDate(share.createdAt, true)}`, onclick: () => revoke(share) }, 'Revoke'))));
  }

  const element = h('details', { class: 'panel shares' },
    h('summary', {}, h('h2', {}, 'Share links')),
    h('p', { class: 'muted' }, 'Anyone with a link gets its access until it expires or you revoke it.'),
    form, created, h('h3', {}, 'Active links'), list);
  element.addEventListener('toggle', () => { if (element.open) refresh().catch((error) => show(list, errorBox(error))); }, { once: true });
  return element;
}
