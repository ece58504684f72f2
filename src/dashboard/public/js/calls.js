/* global document */
// Calls: the list (keyset pages of 50), one call's detail with the visitor's journey, and the CSV export.
import { api, isMissingEndpoint, query } from './api.js';
import { beforeCall, byId, duration, el, fillFacts, formatDateTime, formatTime, setStatus } from './dom.js';

const PAGE_SIZE = 50;
let scope = null;
let nextCursor = null;
/** Bumped on every new scope, so a page that arrives late for an earlier site is dropped. */
let generation = 0;

const sourceLine = (x) => [x.source ?? '(none)', x.medium, x.campaign].filter(Boolean).join(' / ');

function callRow(call) {
  const open = () => openCall(call.id);
  return el(
    'tr',
    { class: 'clickable', tabindex: 0, dataset: { callId: call.id }, onclick: open, onkeydown: (e) => (e.key === 'Enter' ? open() : undefined) },
    el('td', { text: formatDateTime(call.startedAt) }),
    el('td', { text: call.restricted ? '(restricted)' : (call.from ?? '–') }),
    el('td', { text: call.source ?? '(none)' }),
    el('td', { text: call.medium ?? '' }),
    el('td', { text: call.campaign ?? '' }),
    el('td', { text: call.status }),
    el('td', { class: 'num', text: duration(call.talkSeconds) }),
    el('td', { text: call.attribution }),
  );
}

async function loadPage() {
  const mine = generation;
  const more = byId('calls-more');
  more.disabled = true;
  try {
    const page = await api(`/v1/calls?${query({ siteId: scope.siteId, from: scope.from, to: scope.to, limit: PAGE_SIZE, cursor: nextCursor })}`);
    if (mine !== generation) return;
    byId('calls-table').tBodies[0].append(...page.data.map(callRow));
    nextCursor = page.nextCursor;
    more.hidden = !nextCursor;
    const shown = byId('calls-table').tBodies[0].rows.length;
    setStatus('calls-status', shown ? `${shown} call(s) shown${nextCursor ? '; more below' : ''}. Click a call for its journey.` : 'No calls in this period.');
  } catch (err) {
    if (mine === generation && err.status !== 401) setStatus('calls-status', `Could not load calls: ${err.message}`, 'error');
  } finally {
    more.disabled = false;
  }
}

function renderPage(page, callStartedAt) {
  return el(
    'li',
    { class: 'journey-page', dataset: { kind: page.kind ?? '' } },
    el('time', { datetime: page.viewedAt, text: formatTime(page.viewedAt) }),
    el('span', { class: 'relative', text: beforeCall(page.viewedAt, callStartedAt) }),
    el('span', { class: 'kind', text: page.kind ?? 'page' }),
    el('span', { class: 'page-title', text: page.title || '(untitled)' }),
    el('span', { class: 'page-url', text: page.url }),
  );
}

function renderVisit(visit, call) {
  const pages = [...(visit.pages ?? [])].sort((a, b) => Date.parse(a.viewedAt) - Date.parse(b.viewedAt));
  const credited = visit.visitId === call.visitId;
  return el(
    'li',
    { class: `journey-visit${credited ? ' credited' : ''}`, dataset: { visitId: visit.visitId } },
    el('div', { class: 'visit-head' }, el('strong', { text: `Visit ${formatDateTime(visit.startedAt)}` }), ` (${beforeCall(visit.startedAt, call.startedAt)}) · `, el('span', { class: 'visit-source', text: sourceLine(visit) }), credited ? el('span', { class: 'badge', text: 'credited' }) : null),
    visit.referrer ? el('div', { class: 'muted', text: `Referrer: ${visit.referrer}` }) : null,
    visit.landingPage ? el('div', { class: 'muted', text: `Landing page: ${visit.landingPage}` }) : null,
    el('ol', { class: 'pages' }, ...pages.map((p) => renderPage(p, call.startedAt))),
  );
}

/** The journey's visits: the API answers them as a list (oldest first), or null when there is no visit to show. */
const journeyVisits = (journey) => (Array.isArray(journey) ? journey : (journey?.visits ?? null));

function renderJourney(call) {
  const list = byId('journey');
  list.replaceChildren();
  if (call.journey === undefined) return setStatus('journey-status', 'Journey not available on this server.');
  const visits = journeyVisits(call.journey);
  if (!visits || visits.length === 0) {
    return setStatus('journey-status', call.visitId ? 'No journey: the visit is gone (past its retention period, erased or restricted).' : `No journey: the call was not credited to a visit (attribution: ${call.attribution}).`);
  }
  setStatus('journey-status', `${visits.length} visit(s), oldest first; the call came at ${formatTime(call.startedAt)}.`);
  list.append(...visits.map((v) => renderVisit(v, call)));
}

export async function openCall(callId) {
  byId('call-detail').hidden = false;
  byId('calls-layout').classList.add('with-detail');
  byId('call-title').textContent = 'Call';
  setStatus('journey-status', 'Loading…');
  byId('journey').replaceChildren();
  for (const row of byId('calls-table').tBodies[0].rows) row.classList.toggle('selected', row.dataset.callId === callId);
  try {
    const call = await api(`/v1/calls/${encodeURIComponent(callId)}`);
    byId('call-title').textContent = `Call ${formatDateTime(call.startedAt)}`;
    const candidates = call.attributionCandidates ?? [];
    fillFacts(byId('call-facts'), [
      ['Caller', call.restricted ? '(restricted)' : call.from, 'caller'],
      ['Number called', call.to, 'to'],
      ['Status', call.status, 'status'],
      ['Talk time', duration(call.talkSeconds), 'talk'],
      ['Source', sourceLine(call), 'source'],
      ['Attribution', call.attribution, 'attribution'],
      ['Credited visit', call.visitId, 'visit'],
      // An ambiguous call names every visit it could be, with each one's source where the API gives it.
      ['Candidate visits', candidates.length ? candidates.map((c) => (c.source !== undefined ? `${c.visitId} (${sourceLine(c)})` : c.visitId)).join(', ') : 'none', 'candidates'],
      ['Repeat caller', call.repeatCaller ? 'yes' : 'no', 'repeat'],
    ]);
    renderJourney(call);
  } catch (err) {
    if (err.status !== 401) setStatus('journey-status', `Could not load the call: ${err.message}`, 'error');
  }
}

/** GET /v1/calls.csv with the key in the header (a plain link could not send it), saved as a file. */
async function downloadCsv() {
  if (!scope) return;
  setStatus('csv-status', 'Preparing…');
  try {
    const res = await api(`/v1/calls.csv?${query({ siteId: scope.siteId, from: scope.from, to: scope.to, timeZone: scope.timeZone })}`, { raw: true, accept: 'text/csv' });
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `calls-${scope.fromDate}-to-${scope.toDate}.csv`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    // Revoked on the next turn: the download has taken its copy by then.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    setStatus('csv-status', `Downloaded (${blob.size} bytes).`);
  } catch (err) {
    if (err.status !== 401) setStatus('csv-status', isMissingEndpoint(err) ? 'CSV export not available on this server.' : `Could not export: ${err.message}`, 'error');
  }
}

export function resetCalls() {
  generation += 1;
  scope = null;
  nextCursor = null;
  byId('calls-table').tBodies[0].replaceChildren();
  byId('calls-more').hidden = true;
  byId('call-detail').hidden = true;
  byId('calls-layout').classList.remove('with-detail');
  setStatus('calls-status', '');
  setStatus('csv-status', '');
}

export function showCalls(newScope) {
  resetCalls();
  scope = newScope;
  setStatus('calls-status', 'Loading…');
  return loadPage();
}

export function wireCalls() {
  byId('calls-more').addEventListener('click', () => loadPage());
  byId('download-csv').addEventListener('click', () => downloadCsv());
}
