// Uploads: files go straight to S3 with the presigned POST forms of the API, a few at a time, with a
// progress bar per file and for the batch, automatic retries, and a "retry failed" button.
import { ApiError, describeError } from './api.js';
import { formatBytes, h } from './ui.js';

const TYPES = new Map([
  ['image/jpeg', /\.jpe?g$/i], ['image/png', /\.png$/i], ['image/webp', /\.webp$/i],
  ['image/heic', /\.heic$/i], ['image/heif', /\.hei?f$/i], ['image/avif', /\.avif$/i],
]);
const MAX_BYTES = 50 * 1024 * 1024;
const PARALLEL = 3;
const CHUNK = 20;
const ATTEMPTS = 3;

/** The content type we upload a file as, or null when it is not a photo we take. */
function photoType(file) {
  if (TYPES.has(file.type)) return file.type;
  for (const [type, pattern] of TYPES) if (pattern.test(file.name)) return type;
  return null;
}

/** Posts one form to S3 with progress; resolves on 2xx, rejects with an ApiError. */
function postForm(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields || {})) form.append(name, value);
    form.append('file', file);
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) return resolve();
      const code = /<Code>([^<]+)<\/Code>/.exec(request.responseText || '')?.[1] || '';
      reject(new ApiError(request.status, code, /<Message>([^<]+)<\/Message>/.exec(request.responseText || '')?.[1]));
    };
    request.onerror = () => reject(new ApiError(0, 'Network', 'The upload was interrupted. Check your connection and retry.'));
    request.send(form);
  });
}

export class Uploader {
  constructor({ api, albumId, onUploaded }) {
    this.api = api;
    this.albumId = albumId;
    this.onUploaded = onUploaded;
    this.items = [];
    const inputId = 'upload-input';
    this.input = h('input', {
      id: inputId, type: 'file', multiple: true, class: 'visually-hidden',
      accept: 'image/jpeg,image/png,image/webp,image/heic,image/heif,image/avif,.heic,.heif,.hif,.avif',
      'data-test': 'upload-input', onchange: () => { this.add([...this.input.files]); this.input.value = ''; },
    });
    this.batchBar = h('progress', { max: 1, value: 0, 'aria-label': 'Upload progress, all files', 'data-test': 'upload-progress' });
    this.batchText = h('span', { class: 'muted' });
    this.list = h('ul', { class: 'uploads' });
    this.retryButton = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => this.retryFailed() }, 'Retry failed uploads');
    this.summary = h('div', { class: 'batch', hidden: true }, this.batchBar, this.batchText, this.retryButton);
    const drop = h('label', { class: 'drop', for: inputId },
      h('strong', {}, 'Drop photos here'), h('span', {}, ' or click to choose files'),
      h('span', { class: 'muted small' }, 'JPEG, PNG, WebP or HEIC, up to 50 MB each'));
    for (const name of ['dragenter', 'dragover']) {
      drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add('over'); });
    }
    for (const name of ['dragleave', 'drop']) drop.addEventListener(name, () => drop.classList.remove('over'));
    drop.addEventListener('drop', (event) => { event.preventDefault(); this.add([...event.dataTransfer.files]); });
    this.element = h('section', { class: 'panel', 'aria-labelledby': 'upload-heading' },
      h('h2', { id: 'upload-heading' }, 'Add photos'), this.input, drop, this.summary, this.list);
  }

  /** Queues files: refuses what is not a photo or too big, uploads the rest. */
  add(files) {
    const fresh = [];
    for (const file of files) {
      const item = { file, type: photoType(file), progress: 0, state: 'queued', attempts: 0, error: '' };
      item.bar = h('progress', { max: 1, value: 0, 'aria-label': `Upload progress, ${file.name}` });
      item.note = h('span', { class: 'muted small' });
      item.row = h('li', {}, h('span', { class: 'name' }, file.name), item.bar, item.note);
      if (!item.type) this.fail(item, 'Not a photo we can read: use JPEG, PNG, WebP or HEIC.', false);
      else if (file.size > MAX_BYTES) this.fail(item, `Too big (${formatBytes(file.size)}); the limit is 50 MB.`, false);
      else fresh.push(item);
      this.items.push(item);
      this.list.append(item.row);
    }
    this.update();
    if (fresh.length) this.run(fresh);
  }

  fail(item, message, retryable = true) {
    item.state = retryable ? 'failed' : 'refused';
    item.error = message;
    item.note.textContent = message;
    item.row.classList.add('failed');
  }

  /** Asks for forms 20 files at a time and posts each chunk's files, PARALLEL at a time. */
  async run(items) {
    for (const item of items) { item.state = 'queued'; item.row.classList.remove('failed'); item.note.textContent = 'Waiting…'; }
    this.update();
    for (let start = 0; start < items.length; start += CHUNK) {
      const chunk = items.slice(start, start + CHUNK);
      let forms;
      try {
        forms = (await this.api.uploadForms(this.albumId, chunk.map((i) => ({ name: i.file.name, size: i.file.size, type: i.type })))).uploads;
      } catch (error) {
        for (const item of chunk) this.fail(item, describeError(error), !(error.status >= 400 && error.status < 500 && error.status !== 429));
        this.update();
        continue;
      }
      const queue = chunk.map((item, index) => [item, forms[index]]);
      const worker = async () => {
        while (queue.length) {
          const [item, form] = queue.shift();
          await this.send(item, form);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
    }
    const uploaded = items.filter((i) => i.state === 'done').length;
    if (uploaded) this.onUploaded(uploaded);
    this.update();
  }

  async send(item, form) {
    item.state = 'uploading';
    for (item.attempts = 1; item.attempts <= ATTEMPTS; item.attempts += 1) {
      item.note.textContent = item.attempts > 1 ? `Retrying (${item.attempts}/${ATTEMPTS})…` : 'Uploading…';
      try {
        await postForm(form, item.file, (fraction) => { item.progress = fraction; item.bar.value = fraction; this.update(); });
        item.state = 'done';
        item.progress = 1;
        item.bar.value = 1;
        item.note.textContent = 'Uploaded';
        item.row.classList.add('done');
        this.update();
        return;
      } catch (error) {
        const final = (error.status >= 400 && error.status < 500) || item.attempts === ATTEMPTS;
        if (final) {
          // "Retry failed uploads" asks for new forms: an expired form (403) goes through then; a file
          // over the form's size never does.
          const tooBig = error.code === 'EntityTooLarge';
          const message = tooBig ? 'Too big for this album.'
            : error.status === 0 ? error.message : `The upload did not go through (${error.code || error.status}); retry it.`;
          this.fail(item, message, !tooBig);
          this.update();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** item.attempts));
      }
    }
  }

  retryFailed() {
    const failed = this.items.filter((i) => i.state === 'failed');
    for (const item of failed) { item.progress = 0; item.bar.value = 0; }
    if (failed.length) this.run(failed);
  }

  update() {
    const active = this.items.filter((i) => i.state !== 'refused');
    this.summary.hidden = this.items.length === 0;
    const total = active.reduce((sum, i) => sum + i.file.size, 0) || 1;
    const sent = active.reduce((sum, i) => sum + i.file.size * i.progress, 0);
    this.batchBar.value = sent / total;
    const done = active.filter((i) => i.state === 'done').length;
    const failed = active.filter((i) => i.state === 'failed').length;
    const refused = this.items.length - active.length;
    const parts = [`${done} of ${active.length} uploaded`];
    if (failed) parts.push(`${failed} failed`);
    if (refused) parts.push(`${refused} skipped`);
    this.batchText.textContent = parts.join(' · ');
    this.retryButton.hidden = failed === 0;
  }
}
