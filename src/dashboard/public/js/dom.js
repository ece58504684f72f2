/* global document, Node */
// DOM helpers. Data from the API only ever reaches the page as text (textContent, text nodes, attribute
// values): never through innerHTML, so a campaign named "<img onerror=...>" shows as those characters.

/** el('td', { text: name, class: 'num' }, child, 'more text') */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
}

export const byId = (id) => document.getElementById(id);

export function setStatus(id, message, kind = 'info') {
  const node = byId(id);
  node.textContent = message || '';
  node.dataset.kind = kind;
}

export const percent = (share) => (share === null || share === undefined ? '–' : `${(share * 100).toFixed(1)}%`);

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
export const formatDateTime = (iso) => (iso ? dateTime.format(new Date(iso)) : '–');
export const formatTime = (iso) => (iso ? timeOnly.format(new Date(iso)) : '–');

/** "12 min before the call", from two instants. */
export function beforeCall(atIso, callIso) {
  const seconds = Math.round((Date.parse(callIso) - Date.parse(atIso)) / 1000);
  const abs = Math.abs(seconds);
  const span = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${(abs / 3600).toFixed(1)} h` : `${Math.round(abs / 86400)} days`;
  return seconds >= 0 ? `${span} before the call` : `${span} after the call`;
}

/** A <dl> of label/value pairs. */
export function fillFacts(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([label, value, field]) => [el('dt', { text: label }), el('dd', { text: value ?? '–', dataset: field ? { field } : undefined })]));
}
