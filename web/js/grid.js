// The album grid: the paged photo list, lazily loaded thumbnails (small, large on big screens),
// infinite scroll, sorting by date taken, and polling while photos are still being processed.
import { urlOf } from './api.js';
import { errorBox, formatDate, h, show } from './ui.js';

const PAGE = 60;

/** Alt text for a photo: what we know about it, never empty. */
export function altText(photo) {
  const parts = ['Photo'];
  if (photo.takenAt) parts.push(`taken ${formatDate(photo.takenAt)}`);
  if (photo.camera) parts.push(`with ${photo.camera}`);
  if (photo.faceCount) parts.push(`${photo.faceCount} face${photo.faceCount === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/** `<img>` of a photo's thumbnails: `small` by default, `large` where the tile is big or the screen dense. */
export function thumbnailImage(thumbnails, alt, sizes = '(min-width: 1100px) 280px, (min-width: 700px) 30vw, 48vw') {
  const small = urlOf(thumbnails?.small);
  const large = urlOf(thumbnails?.large);
  return h('img', {
    src: small || large, alt, loading: 'lazy', decoding: 'async',
    srcset: small && large ? `${small} 200w, ${large} 1024w` : undefined,
    sizes: small && large ? sizes : undefined,
  });
}

export class AlbumGrid {
  /**
   * `load(cursor, limit)` fetches a page (default: the album's photos); `name` prefixes the element ids
   * so two grids can share a page; `empty` is the text of an empty, finished list.
   */
  constructor({ api, albumId, onOpen, onChange, load, title = 'Photos', name = 'photos', empty = 'No photos in this album yet.' }) {
    this.load = load || ((cursor, limit) => api.photos(albumId, cursor, limit));
    this.emptyText = empty;
    this.onOpen = onOpen;
    this.onChange = onChange || (() => {});
    this.photos = new Map();
    this.cursor = undefined;
    this.done = false;
    this.loading = false;
    this.sort = 'added';
    this.expected = 0; // uploads done whose photos have not appeared yet
    this.pollDelay = 1000;
    this.pollTimer = null;
    this.list = h('ul', { class: 'grid', 'aria-label': 'Photos' });
    this.status = h('div', { class: 'grid-status', 'aria-live': 'polite' });
    this.sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
    const sortId = `${name}-sort`;
    this.sortSelect = h('select', { id: sortId, onchange: () => this.setSort(this.sortSelect.value) },
      h('option', { value: 'added' }, 'Recently added'),
      h('option', { value: 'taken-desc' }, 'Date taken, newest first'),
      h('option', { value: 'taken-asc' }, 'Date taken, oldest first'));
    this.element = h('section', { class: 'photos', 'aria-labelledby': `${name}-heading` },
      h('div', { class: 'row spread' },
        h('h2', { id: `${name}-heading` }, title),
        h('div', { class: 'row' }, h('label', { for: sortId }, 'Sort'), this.sortSelect)),
      this.list, this.sentinel, this.status);
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.loadMore();
    }, { rootMargin: '800px' });
    this.observer.observe(this.sentinel);
  }

  /** Photos in display order. */
  ordered() {
    const all = [...this.photos.values()];
    if (this.sort === 'added') return all;
    const direction = this.sort === 'taken-asc' ? 1 : -1;
    return all.sort((a, b) => {
      if (!a.takenAt && !b.takenAt) return 0;
      if (!a.takenAt) return 1;
      if (!b.takenAt) return -1;
      return a.takenAt < b.takenAt ? -direction : a.takenAt > b.takenAt ? direction : 0;
    });
  }

  async setSort(sort) {
    this.sort = sort;
    // Date order needs every page: load the rest first.
    if (sort !== 'added') while (!this.done) if (!(await this.loadMore())) break;
    this.render();
  }

  /** Loads the next page; false when it failed or there is nothing more. */
  async loadMore() {
    if (this.loading || this.done) return false;
    this.loading = true;
    show(this.status, h('p', { class: 'muted' }, 'Loading photos…'));
    try {
      const page = await this.load(this.cursor, PAGE);
      for (const photo of page.photos || []) this.photos.set(photo.id, photo);
      this.cursor = page.cursor || undefined;
      this.done = !this.cursor;
      this.render();
      return true;
    } catch (error) {
      show(this.status, errorBox(error, { retry: () => this.loadMore() }));
      return false;
    } finally {
      this.loading = false;
      // The sentinel may still be on screen after a short page.
      if (!this.done) requestAnimationFrame(() => this.checkSentinel());
    }
  }

  checkSentinel() {
    const box = this.sentinel.getBoundingClientRect();
    if (box.top < window.innerHeight + 800) this.loadMore();
  }

  render() {
    const ordered = this.ordered();
    const tiles = ordered.map((photo, index) => this.tile(photo, index));
    show(this.list, tiles);
    if (ordered.length === 0 && this.done) {
      show(this.status, h('p', { class: 'empty' }, this.expected > 0
        ? 'Your photos are being processed; they appear here in a moment.'
        : this.emptyText));
    } else if (this.done || !this.loading) {
      show(this.status, this.pending() > 0 ? h('p', { class: 'muted' }, `Processing ${this.pending()} photo(s)…`) : null);
    }
    this.onChange(ordered);
  }

  pending() {
    const processing = [...this.photos.values()].filter((p) => p.status && p.status !== 'processed' && p.status !== 'failed').length;
    return Math.max(this.expected, 0) + processing;
  }

  tile(photo, index) {
    const failed = photo.status === 'failed';
    const ready = !photo.status || photo.status === 'processed';
    const button = h('button', { type: 'button', class: 'tile-button', onclick: () => this.onOpen(photo.id) },
      ready && (photo.thumbnails?.small || photo.thumbnails?.large)
        ? thumbnailImage(photo.thumbnails, altText(photo))
        : h('span', { class: 'placeholder' }, failed ? 'Could not read this file' : 'Processing…'),
      h('span', { class: 'visually-hidden' }, `Open photo ${index + 1}`));
    return h('li', { class: `tile${failed ? ' failed' : ''}`, 'data-test': 'photo-tile', 'data-photo-id': photo.id }, button);
  }

  /** Forgets a photo (deleted). */
  remove(photoId) {
    this.photos.delete(photoId);
    this.render();
  }

  /** Uploads finished: poll the newest page with back-off until their photos are processed. */
  expect(count) {
    this.expected += count;
    this.pollDelay = 1000;
    this.schedulePoll();
  }

  schedulePoll() {
    clearTimeout(this.pollTimer);
    if (this.pending() === 0 || !this.element.isConnected) return;
    this.pollTimer = setTimeout(() => this.poll(), this.pollDelay);
    this.pollDelay = Math.min(this.pollDelay * 1.5, 10_000);
  }

  async poll() {
    try {
      const before = new Set([...this.photos.values()].filter((p) => !p.status || p.status === 'processed' || p.status === 'failed').map((p) => p.id));
      const page = await this.load(undefined, PAGE);
      const fresh = new Map();
      for (const photo of page.photos || []) fresh.set(photo.id, photo);
      let arrived = 0;
      for (const [id, photo] of fresh) {
        const finished = !photo.status || photo.status === 'processed' || photo.status === 'failed';
        if (finished && !before.has(id)) arrived += 1;
      }
      // Newest first: the fresh page goes before what we had.
      this.photos = new Map([...fresh, ...[...this.photos].filter(([id]) => !fresh.has(id))]);
      if (this.cursor === undefined && !this.done) this.cursor = page.cursor || undefined;
      this.expected = Math.max(0, this.expected - arrived);
      if (arrived > 0) this.pollDelay = 1000;
      this.render();
    } catch {
      // Keep polling; the next attempt waits longer.
    }
    this.schedulePoll();
  }
}
