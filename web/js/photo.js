// The photo view: large thumbnail with face boxes on hover, EXIF panel, keyboard navigation
// (←/→/Esc), download original, "download as…" (the convert endpoint), delete (owner).
import { urlOf } from './api.js';
import { altText } from './grid.js';
import { errorBox, formatDate, h, saveBlob, show, toast } from './ui.js';

/** EXIF rows worth showing, from the record's `exif` (PhotoMetadata) fields. */
function exifRows(record) {
  const exif = record.exif || record.metadata || {};
  const rows = [];
  const camera = record.camera || [exif.make, exif.model].filter(Boolean).join(' ');
  if (camera) rows.push(['Camera', camera]);
  if (exif.lensModel) rows.push(['Lens', exif.lensModel]);
  const exposure = [];
  if (exif.exposureTime) exposure.push(exif.exposureTime >= 1 ? `${exif.exposureTime} s` : `1/${Math.round(1 / exif.exposureTime)} s`);
  if (exif.fNumber) exposure.push(`f/${Number(exif.fNumber).toFixed(1)}`);
  if (exif.focalLength) exposure.push(`${Math.round(exif.focalLength)} mm${exif.focalLength35mm ? ` (${exif.focalLength35mm} mm eq.)` : ''}`);
  if (exposure.length) rows.push(['Exposure', exposure.join(' · ')]);
  if (exif.iso) rows.push(['ISO', String(Math.round(exif.iso))]);
  const taken = exif.dateTimeOriginal || record.takenAt;
  if (taken) rows.push(['Taken', formatDate(taken, true)]);
  if (record.width && record.height) rows.push(['Size', `${record.width} × ${record.height}`]);
  if (exif.gps && Number.isFinite(exif.gps.latitude) && Number.isFinite(exif.gps.longitude)) {
    const { latitude, longitude } = exif.gps;
    const map = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
    rows.push(['Location', h('a', { href: map, target: '_blank', rel: 'noopener noreferrer' },
      `${latitude.toFixed(5)}, ${longitude.toFixed(5)} (map)`)]);
  }
  if (exif.artist) rows.push(['Artist', exif.artist]);
  if (exif.software) rows.push(['Software', exif.software]);
  return rows;
}

/** Face boxes over the image, in percent of the displayed size. */
function faceBoxes(record) {
  const width = record.width;
  const height = record.height;
  if (!width || !height) return [];
  return (record.faces || []).map((face, index) => {
    const box = face.box || face;
    return h('span', {
      class: 'face', 'aria-hidden': 'true', title: `Face ${index + 1}`,
      style: `left:${(100 * box.left) / width}%;top:${(100 * box.top) / height}%;`
        + `width:${(100 * (box.right - box.left)) / width}%;height:${(100 * (box.bottom - box.top)) / height}%`,
    });
  });
}

export class PhotoViewer {
  constructor({ api, albumId, canDelete, onDeleted }) {
    this.api = api;
    this.albumId = albumId;
    this.canDelete = canDelete;
    this.onDeleted = onDeleted;
    this.order = [];
    this.index = -1;
    this.body = h('div', { class: 'viewer-body' });
    this.dialog = h('dialog', { class: 'viewer', 'data-test': 'photo-view', 'aria-label': 'Photo' },
      h('div', { class: 'viewer-bar' },
        h('button', { type: 'button', class: 'secondary', 'aria-label': 'Previous photo', onclick: () => this.step(-1) }, '←'),
        h('button', { type: 'button', class: 'secondary', 'aria-label': 'Next photo', onclick: () => this.step(1) }, '→'),
        h('span', { class: 'grow' }),
        h('button', { type: 'button', class: 'secondary', 'aria-label': 'Close photo', onclick: () => this.close() }, '✕')),
      this.body);
    this.dialog.addEventListener('keydown', (event) => {
      if (event.target.matches('input, select, textarea')) return;
      if (event.key === 'ArrowLeft') { event.preventDefault(); this.step(-1); }
      if (event.key === 'ArrowRight') { event.preventDefault(); this.step(1); }
    });
    for (const old of document.querySelectorAll('dialog.viewer')) old.remove();
    document.body.append(this.dialog);
  }

  /** The photo ids in grid order, for ←/→. */
  setOrder(ids) { this.order = ids; }

  async open(photoId) {
    this.index = this.order.indexOf(photoId);
    if (!this.dialog.open) this.dialog.showModal();
    show(this.body, h('p', { class: 'muted' }, 'Loading photo…'));
    let record;
    try {
      record = await this.api.photo(this.albumId, photoId);
    } catch (error) {
      show(this.body, errorBox(error));
      return;
    }
    if (this.order[this.index] !== photoId) return; // moved on meanwhile
    this.render(photoId, record);
  }

  step(delta) {
    if (this.order.length === 0) return;
    const next = this.index + delta;
    if (next < 0 || next >= this.order.length) return;
    this.open(this.order[next]);
  }

  close() { this.dialog.close(); }

  render(photoId, record) {
    const thumbnails = record.thumbnails || {};
    const large = urlOf(thumbnails.large) || urlOf(thumbnails.small);
    const original = urlOf(record.original);
    const name = (record.key || '').split('/').pop() || 'photo';
    const picture = h('figure', { class: 'picture' },
      h('div', { class: 'frame' },
        large
          ? h('img', { src: large, alt: altText({ ...record, id: photoId }), width: record.width, height: record.height })
          : h('p', { class: 'placeholder' }, record.status === 'failed' ? 'This file could not be read.' : 'Still processing…'),
        ...faceBoxes(record)),
      (record.faces || []).length ? h('figcaption', { class: 'muted small' }, `${record.faces.length} face(s): hover the photo to see them`) : null);
    const rows = exifRows(record);
    const exif = h('section', { class: 'exif', 'data-test': 'exif-panel', 'aria-label': 'Photo details' },
      h('h2', {}, 'Details'),
      rows.length
        ? h('dl', {}, rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]))
        : h('p', { class: 'muted' }, 'This photo has no camera metadata.'));
    const message = h('div', { class: 'result' });
    const convert = h('form', { class: 'convert' },
      h('h3', {}, 'Download as…'),
      h('div', { class: 'row' },
        h('label', { for: 'convert-format' }, 'Format'),
        h('select', { id: 'convert-format', name: 'format' },
          h('option', { value: 'jpeg' }, 'JPEG'), h('option', { value: 'webp' }, 'WebP'), h('option', { value: 'png' }, 'PNG')),
        h('label', { for: 'convert-width' }, 'Width'),
        h('select', { id: 'convert-width', name: 'w' },
          h('option', { value: '800' }, '800 px'), h('option', { value: '1600' }, '1600 px'), h('option', { value: '2400' }, '2400 px')),
        h('button', { type: 'submit', class: 'secondary' }, 'Download')));
    convert.addEventListener('submit', async (event) => {
      event.preventDefault();
      const format = convert.elements.format.value;
      const width = convert.elements.w.value;
      show(message, h('p', { class: 'muted' }, 'Converting…'));
      try {
        const blob = await this.api.convert(this.albumId, photoId, { w: width, h: width, fit: 'inside', format });
        saveBlob(blob, `${name.replace(/\.[^.]+$/, '')}-${width}.${format === 'jpeg' ? 'jpg' : format}`);
        show(message);
      } catch (error) {
        show(message, errorBox(error));
      }
    });
    const actions = h('div', { class: 'actions' },
      original ? h('a', { class: 'button', href: original, download: name, target: '_blank', rel: 'noopener' }, 'Download original') : null,
      this.canDelete ? h('button', { type: 'button', class: 'danger', onclick: () => this.remove(photoId, name, message) }, 'Delete photo') : null);
    show(this.body, picture, h('div', { class: 'side' }, exif, actions, convert, message));
    this.dialog.querySelector('.viewer-bar button[aria-label="Close photo"]').focus({ preventScroll: true });
  }

  async remove(photoId, name, message) {
    if (!confirm(`Delete ${name}? This cannot be undone.`)) return;
    try {
      await this.api.deletePhoto(this.albumId, photoId);
      toast('Photo deleted');
      this.close();
      this.onDeleted(photoId);
    } catch (error) {
      show(message, errorBox(error));
    }
  }
}
