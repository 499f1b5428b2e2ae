// People (owner and `view` links): the album's faces grouped by person, as a grid of people (face
// crop, name or "Unnamed", photo count). The owner names a person in place, hides and shows people and
// merges two; a person opens into their photos, in the usual grid and photo view.
import { urlOf } from './api.js';
import { AlbumGrid } from './grid.js';
import { errorBox, h, show, toast } from './ui.js';

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const label = (person) => person.name || 'Unnamed';
const EMPTY = 'People appear after photos with faces are processed.';

export class PeopleView {
  /**
   * `canEdit` for the owner (and admin): naming, hiding, merging. `openPhoto(ids, id)` opens a photo
   * in the album's photo view with `ids` for ←/→.
   */
  constructor({ api, albumId, canEdit, openPhoto }) {
    this.api = api;
    this.albumId = albumId;
    this.canEdit = canEdit;
    this.openPhoto = openPhoto;
    this.people = [];
    this.selected = new Set();
    this.showHidden = false;
    this.loaded = false;
    this.pollDelay = 2000;
    this.pollTimer = null;
    this.person = null; // the person open, or null for the list
    this.grid = null;
    this.element = h('section', { class: 'people', 'aria-labelledby': 'people-heading' });
  }

  /** Shows the list (loading it the first time). */
  async open() {
    if (this.person) return;
    if (!this.loaded) this.renderList();
    await this.refresh();
  }

  /** Reloads the list; keeps polling with back-off while it is empty (the people job runs after uploads settle). */
  async refresh() {
    clearTimeout(this.pollTimer);
    try {
      const answer = await this.api.people(this.albumId, { hidden: this.canEdit && this.showHidden });
      this.people = answer?.people || [];
      this.loaded = true;
      const ids = new Set(this.people.map((p) => p.id));
      for (const id of this.selected) if (!ids.has(id)) this.selected.delete(id);
      if (!this.person) this.renderList();
    } catch (error) {
      if (!this.person) this.renderList(error);
      return;
    }
    if (this.people.length === 0 && this.element.isConnected && !this.element.closest('[hidden]')) {
      this.pollTimer = setTimeout(() => this.refresh(), this.pollDelay);
      this.pollDelay = Math.min(this.pollDelay * 1.5, 20_000);
    } else {
      this.pollDelay = 2000;
    }
  }

  renderList(error) {
    const controls = [];
    if (this.canEdit) {
      const count = this.selected.size;
      controls.push(
        h('label', { class: 'checkbox' },
          h('input', {
            type: 'checkbox', checked: this.showHidden, 'data-test': 'people-show-hidden',
            onchange: (event) => { this.showHidden = event.target.checked; this.refresh(); },
          }),
          ' Show hidden people'),
        h('button', {
          type: 'button', class: 'secondary', 'data-test': 'person-merge', disabled: count !== 2, onclick: () => this.merge(),
        }, count === 2 ? 'Merge the 2 selected' : 'Select 2 people to merge'));
    }
    const status = h('div', { class: 'people-status', 'aria-live': 'polite' });
    // An api handler without the people endpoints answers their route with 404.
    if (error?.status === 404 && error.code === 'NotFound') show(status, errorBox('People is not available on this server yet.'));
    else if (error) show(status, errorBox(error, { retry: () => this.refresh() }));
    else if (!this.loaded) show(status, h('p', { class: 'muted' }, 'Loading people…'));
    else if (this.people.length === 0) show(status, h('p', { class: 'empty' }, EMPTY));
    const list = h('ul', { class: 'grid people-grid', 'aria-label': 'People' }, this.people.map((p) => this.tile(p)));
    show(this.element,
      h('div', { class: 'row spread' }, h('h2', { id: 'people-heading' }, 'People'), h('div', { class: 'row' }, controls)),
      this.canEdit && this.people.length > 1
        ? h('p', { class: 'muted small' }, 'Select two people who are the same person and merge them; their faces become one person.')
        : null,
      list, status);
  }

  tile(person) {
    const name = label(person);
    const cover = urlOf(person.cover?.thumbnail);
    const open = h('button', {
      type: 'button', class: 'tile-button person-open', onclick: () => this.openPerson(person),
      'aria-label': `Open ${name}, ${plural(person.photoCount || 0, 'photo')}`,
    }, cover
      ? h('img', { src: cover, alt: person.name ? `Face of ${person.name}` : 'Face of an unnamed person', loading: 'lazy', decoding: 'async' })
      : h('span', { class: 'placeholder' }, 'No face picture'));
    const nameNode = h('span', { class: person.name ? 'person-name' : 'person-name unnamed', 'data-test': 'person-name' }, name);
    const meta = h('div', { class: 'person-meta' },
      nameNode,
      h('span', { class: 'muted small' }, plural(person.photoCount || 0, 'photo'), person.hidden ? ' · hidden' : ''));
    const item = h('li', {
      class: `person-tile${person.hidden ? ' is-hidden' : ''}`, 'data-test': 'person-tile', 'data-person-id': person.id,
    }, h('div', { class: 'face-crop' }, open), meta);
    if (this.canEdit) {
      const selectId = `select-${person.id}`;
      meta.append(h('div', { class: 'row person-actions' },
        h('button', { type: 'button', class: 'link-button', 'aria-label': `Name ${name}`, 'data-test': 'person-rename', onclick: () => this.editName(person, meta, nameNode) },
          person.name ? 'Rename' : 'Name'),
        h('button', {
          type: 'button', class: 'link-button', 'data-test': 'person-hide', 'aria-label': `${person.hidden ? 'Show' : 'Hide'} ${name}`,
          onclick: () => this.update(person, { hidden: !person.hidden }, `${person.name || 'The person'} is ${person.hidden ? 'shown again' : 'hidden'}`),
        }, person.hidden ? 'Show' : 'Hide'),
        h('span', { class: 'checkbox' },
          h('input', {
            type: 'checkbox', id: selectId, checked: this.selected.has(person.id), 'data-test': 'person-select',
            onchange: (event) => {
              if (event.target.checked) this.selected.add(person.id);
              else this.selected.delete(person.id);
              this.renderList();
              this.element.querySelector(`#${CSS.escape(selectId)}`)?.focus();
            },
          }),
          h('label', { for: selectId, 'aria-label': `Select ${name} to merge` }, 'Select'))));
    }
    return item;
  }

  /** Turns the name into a small form; Enter saves, Esc or Cancel puts it back. An empty name forgets it. */
  editName(person, meta, nameNode) {
    const inputId = `name-${person.id}`;
    const problem = h('div', { class: 'result' });
    const form = h('form', { class: 'person-name-form' },
      h('label', { for: inputId, class: 'visually-hidden' }, `Name of ${label(person)}`),
      h('input', { id: inputId, name: 'name', maxLength: 100, autocomplete: 'off', value: person.name || '', placeholder: 'Name', 'data-test': 'person-name-input' }),
      h('div', { class: 'row' },
        h('button', { type: 'submit', 'data-test': 'person-name-save' }, 'Save'),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.renderList() }, 'Cancel')),
      problem);
    form.addEventListener('keydown', (event) => { if (event.key === 'Escape') { event.preventDefault(); this.renderList(); } });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const name = form.elements.name.value.trim();
      const ok = await this.update(person, { name: name || null }, name ? `Named ${name}` : 'Name removed', problem);
      if (!ok) form.elements.name.focus();
    });
    nameNode.replaceWith(form);
    meta.querySelector('.person-actions')?.remove();
    form.elements.name.focus();
  }

  /** PATCHes a person; shows the error in `where` (or the list's status) and returns false when refused. */
  async update(person, changes, done, where) {
    try {
      await this.api.updatePerson(this.albumId, person.id, changes);
      toast(done);
      await this.refresh();
      return true;
    } catch (error) {
      const message = error.code === 'BadRequest' ? 'A name needs 1 to 100 characters.' : error;
      if (where) show(where, errorBox(message));
      else this.element.querySelector('.people-status')?.replaceChildren(errorBox(message));
      return false;
    }
  }

  /** Merges the two selected people: into the named one (or the one with more photos). */
  async merge() {
    const [a, b] = this.people.filter((p) => this.selected.has(p.id));
    if (!a || !b) return;
    const keep = (b.name && !a.name) || (!!b.name === !!a.name && (b.photoCount || 0) > (a.photoCount || 0)) ? b : a;
    const gone = keep === a ? b : a;
    if (!confirm(`Merge ${label(gone)} into ${label(keep)}? Their faces become one person.`)) return;
    try {
      const answer = await this.api.mergePerson(this.albumId, gone.id, keep.id);
      this.selected.clear();
      toast(`Merged into ${label(answer?.person || keep)}`);
      await this.refresh();
    } catch (error) {
      this.element.querySelector('.people-status')?.replaceChildren(errorBox(error));
    }
  }

  /** A person's page: their name and their photos in the usual grid; the photo view opens from it. */
  async openPerson(person) {
    clearTimeout(this.pollTimer);
    this.person = person;
    const back = h('button', { type: 'button', class: 'link-button', 'data-test': 'people-back', onclick: () => this.closePerson() }, '← All people');
    const grid = new AlbumGrid({
      api: this.api, albumId: this.albumId,
      load: (cursor, limit) => this.api.personPhotos(this.albumId, person.id, cursor, limit),
      title: 'Photos', name: 'person-photos', empty: 'No photos of this person.',
      onOpen: (photoId) => this.openPhoto(grid.ordered().map((p) => p.id), photoId),
    });
    this.grid = grid;
    show(this.element,
      h('p', {}, back),
      h('div', { class: 'person-header', 'data-test': 'person-view', 'data-person-id': person.id },
        h('h2', { id: 'people-heading' }, label(person)),
        h('p', { class: 'muted' }, plural(person.photoCount || 0, 'photo'), ' · ', plural(person.faceCount || 0, 'face'))),
      grid.element);
    back.focus({ preventScroll: true });
    await grid.loadMore();
  }

  closePerson() {
    this.person = null;
    this.grid = null;
    this.renderList();
    this.refresh();
  }

  /** A photo was deleted: drop it from the person's grid, and counts change. */
  removePhoto(photoId) {
    this.grid?.remove(photoId);
    if (!this.person) this.refresh();
  }
}
