// Small DOM helpers shared by the views.
import { describeError } from './api.js';

/** Creates an element: `h('button', {class: 'x', onclick: f}, 'Label', child)`. */
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name in node && typeof value !== 'string') node[name] = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An error box (`data-test="error"`, announced to screen readers). */
export function errorBox(error, { retry } = {}) {
  const text = typeof error === 'string' ? error : describeError(error);
  return h('div', { class: 'error', role: 'alert', 'data-test': 'error' },
    h('p', {}, text),
    retry ? h('button', { type: 'button', class: 'secondary', onclick: retry }, 'Try again') : null);
}

/** Replaces the children of `node`. */
export function show(node, ...children) {
  node.replaceChildren(...children.flat().filter(Boolean));
}

let toastTimer;
/** A short status message at the bottom of the screen. */
export function toast(message) {
  const node = document.getElementById('toast');
  node.textContent = message;
  node.classList.add('visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove('visible'), 3500);
}

/** Copies `text` to the clipboard (with a fallback for pages without the Clipboard API). */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    if (input) {
      input.select();
      document.execCommand('copy');
    }
  }
  toast('Link copied');
}

/** A read-only link field with a Copy button. */
export function linkField(url, label, test = 'share-link') {
  const id = `link-${Math.random().toString(36).slice(2)}`;
  const input = h('input', { id, type: 'text', readOnly: true, value: url, 'data-test': test, class: 'link' });
  return h('div', { class: 'link-field' },
    h('label', { for: id }, label),
    h('div', { class: 'row' }, input,
      h('button', { type: 'button', onclick: () => copyText(url, input) }, 'Copy')));
}

/** A human date (day precision) from an ISO 8601 string; '' when absent. */
export function formatDate(value, withTime = false) {
  if (!value) return '';
  const date = new Date(value.length === 19 ? value : value.replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) return value;
  const options = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
  return date.toLocaleString(undefined, options);
}

/** `1234567` -> `1.2 MB`. */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '';
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Starts a download of a blob under `name`. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
