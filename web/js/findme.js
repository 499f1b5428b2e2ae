// Find me: a selfie from the camera (getUserMedia) or a file, the matching photos best first,
// select some or all, download them as one ZIP.
import { ApiError, urlOf } from './api.js';
import { thumbnailImage } from './grid.js';
import { errorBox, h, show } from './ui.js';

/** The Find me view; `only` for a `findme` link (nothing else of the album is shown). */
export async function findMeView({ app, api, setTitle, albumId }, { only = false, album } = {}) {
  setTitle(only ? 'Find yourself' : `Find me · ${album?.name || ''}`);
  const status = h('div', { class: 'find-status', 'aria-live': 'polite' });
  const results = h('div', { class: 'matches' });
  const video = h('video', { playsInline: true, muted: true, 'aria-label': 'Camera preview' });
  const camera = h('div', { class: 'camera', hidden: true }, video,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'snap', onclick: () => snap() }, 'Take photo'),
      h('button', { type: 'button', class: 'secondary', onclick: () => stopCamera() }, 'Cancel')));
  const fileInput = h('input', {
    id: 'selfie-input', type: 'file', accept: 'image/jpeg,image/png,image/webp,image/heic', class: 'visually-hidden',
    'data-test': 'selfie-input', onchange: () => { if (fileInput.files[0]) search(fileInput.files[0]); fileInput.value = ''; },
  });
  let stream = null;

  async function startCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 1280 } }, audio: false });
      video.srcObject = stream;
      camera.hidden = false;
      await video.play();
    } catch {
      show(status, errorBox('The camera is not available here. Choose a photo of yourself instead.'));
    }
  }

  function stopCamera() {
    for (const track of stream?.getTracks() || []) track.stop();
    stream = null;
    camera.hidden = true;
  }

  function snap() {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    stopCamera();
    canvas.toBlob((blob) => blob && search(blob), 'image/jpeg', 0.92);
  }

  let lastSelfie = null;

  async function search(selfie) {
    lastSelfie = selfie;
    show(results);
    show(status, h('p', { class: 'muted' }, 'Looking for you in the album…'));
    try {
      const answer = await api.find(albumId, selfie);
      showMatches(answer.matches || []);
    } catch (error) {
      show(status, errorBox(error));
    }
  }

  function showMatches(matches) {
    if (matches.length === 0) {
      show(status, h('p', { class: 'empty' }, 'No photos of you in this album yet. Try another selfie, facing the camera in good light.'));
      return;
    }
    show(status, h('p', {}, `${matches.length} photo${matches.length === 1 ? '' : 's'} of you, best match first.`));
    const boxes = [];
    const zipMessage = h('div', { class: 'result' });
    // A findme link may only zip what its selfie matched: the server packs all matches (find's `zip`).
    const selectable = !only;
    const tiles = matches.map((match, index) => {
      const id = `match-${index}`;
      const box = h('input', { type: 'checkbox', id, checked: true, value: match.photoId });
      boxes.push(box);
      const original = urlOf(match.original);
      const image = thumbnailImage(match.thumbnails, `Photo ${index + 1} of you`);
      return h('li', { class: 'tile match', 'data-test': 'match-tile', 'data-photo-id': match.photoId },
        original ? h('a', { href: original, target: '_blank', rel: 'noopener', 'aria-label': `Open photo ${index + 1} of you` }, image) : image,
        selectable ? h('label', { for: id, class: 'check' }, box, `Select photo ${index + 1}`) : null);
    });
    const zipButton = h('button', { type: 'button', 'data-test': 'zip-download', onclick: () => download() },
      selectable ? 'Download selected as ZIP' : `Download all ${matches.length} as ZIP`);
    const selectAll = selectable
      ? h('button', { type: 'button', class: 'secondary', onclick: () => { const all = boxes.every((b) => b.checked); for (const b of boxes) b.checked = !all; update(); } }, 'Select all / none')
      : null;
    const count = h('span', { class: 'muted' });
    const update = () => {
      const selected = boxes.filter((b) => b.checked).length;
      if (selectable) count.textContent = `${selected} selected`;
      zipButton.disabled = selected === 0;
    };
    for (const box of boxes) box.addEventListener('change', update);
    update();

    async function download() {
      const ids = boxes.filter((b) => b.checked).map((b) => b.value);
      zipButton.disabled = true;
      show(zipMessage, h('p', { class: 'muted' }, 'Packing your photos…'));
      try {
        const answer = selectable ? await api.zip(albumId, ids) : await api.find(albumId, lastSelfie, { zip: true });
        const url = answer.url || answer.zip?.url;
        if (!url) throw new ApiError(500, '', 'The server did not return a ZIP.');
        show(zipMessage, h('p', {}, 'Your download should start now. If it does not, ',
          h('a', { href: url, download: 'photos.zip', 'data-test': 'zip-link' }, 'download the ZIP here'), '.'));
        location.assign(url);
      } catch (error) {
        show(zipMessage, errorBox(error));
      } finally {
        update();
      }
    }

    show(results,
      h('div', { class: 'row' }, selectAll, count, zipButton),
      zipMessage,
      h('ul', { class: 'grid' }, tiles));
  }

  const intro = only
    ? h('p', {}, 'Take a selfie or choose a photo of yourself: you will see every photo of this album you appear in, and can download them.')
    : h('p', {}, 'Find the photos a person appears in, from a selfie or a photo of them.');
  const panel = h('section', { class: 'panel findme', 'aria-labelledby': 'findme-heading' },
    h('h2', { id: 'findme-heading' }, 'Find photos of you'),
    intro,
    h('p', { class: 'muted small' }, 'Your selfie is only used for this search and is not kept.'),
    h('div', { class: 'row' },
      navigator.mediaDevices?.getUserMedia ? h('button', { type: 'button', class: 'camera-start', onclick: () => startCamera() }, 'Use the camera') : null,
      fileInput,
      h('label', { for: 'selfie-input', class: 'button secondary' }, 'Choose a photo')),
    camera, status, results);
  show(app, panel);
}
