/* global document */
// The dashboard's entry point: sign-in, the client/site/period picker, and the three tabs.
import { api, isMissingEndpoint, query, session, signIn, whenUnauthorized } from './api.js';
import { byId, el, setStatus } from './dom.js';
import { resetOverview, showOverview } from './overview.js';
import { resetCalls, showCalls, wireCalls } from './calls.js';
import { resetPools, showPools, wirePools } from './pools.js';

const TABS = { overview: showOverview, calls: showCalls, pools: showPools };
const state = { clients: [], scope: null, tab: 'overview', shown: new Map() };
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const isoDay = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The picked days as instants: from the first day's local midnight to the midnight after the last day. */
function periodOf(fromDate, toDate) {
  const from = new Date(`${fromDate}T00:00:00`);
  const end = new Date(`${toDate}T00:00:00`);
  end.setDate(end.getDate() + 1);
  return { fromDate, toDate, from: from.toISOString(), to: end.toISOString(), timeZone };
}

function showLogin(message) {
  session.clear();
  state.scope = null;
  state.shown.clear();
  resetOverview();
  resetCalls();
  resetPools();
  byId('app-view').hidden = true;
  byId('sign-out').hidden = true;
  byId('who').textContent = '';
  byId('login-view').hidden = false;
  const error = byId('login-error');
  error.textContent = message || '';
  error.hidden = !message;
  byId('api-key').value = '';
  byId('api-key').focus();
}

/**
 * A site's id, name and client. GET /v1/sites?clientId= where the server has it; otherwise the sites
 * the key's recent calls came from (an older server lists no sites; a site can also be opened by id).
 */
async function sitesOf(clientId) {
  try {
    return { sites: (await api(`/v1/sites?${query({ clientId })}`)).data, listed: true };
  } catch (err) {
    if (!isMissingEndpoint(err)) throw err;
    const calls = await api('/v1/calls?limit=500');
    const ids = [...new Set(calls.data.map((c) => c.siteId).filter(Boolean))].slice(0, 50);
    const sites = await Promise.all(ids.map((id) => api(`/v1/sites/${encodeURIComponent(id)}`).catch(() => null)));
    return { sites: sites.filter((s) => s && s.clientId === clientId), listed: false };
  }
}

function fillSelect(select, items, label) {
  select.replaceChildren(...items.map((item) => el('option', { value: item.id, text: label(item) })));
}

async function loadSites() {
  const clientId = byId('client-select').value;
  fillSelect(byId('site-select'), [], () => '');
  if (!clientId) return;
  setStatus('scope-status', 'Loading sites…');
  try {
    const { sites, listed } = await sitesOf(clientId);
    fillSelect(byId('site-select'), sites, (s) => `${s.name} (${s.domains.join(', ')})`);
    const how = listed ? '' : ' This server cannot list sites: shown are the sites with calls; paste a site id to open another.';
    setStatus('scope-status', `${sites.length} site(s).${how}`);
  } catch (err) {
    if (err.status !== 401) setStatus('scope-status', `Could not load sites: ${err.message}`, 'error');
  }
}

/** The site typed in by id wins over the list; it is checked (and named) through GET /v1/sites/:id. */
async function pickedSite() {
  const typed = byId('site-id-input').value.trim();
  if (!typed) return byId('site-select').value || null;
  const site = await api(`/v1/sites/${encodeURIComponent(typed)}`);
  const select = byId('site-select');
  if (![...select.options].some((o) => o.value === site.id)) select.append(el('option', { value: site.id, text: `${site.name} (${site.domains.join(', ')})` }));
  select.value = site.id;
  byId('site-id-input').value = '';
  return site.id;
}

async function applyScope() {
  const fromDate = byId('from-date').value;
  const toDate = byId('to-date').value;
  if (!fromDate || !toDate || fromDate > toDate) return setStatus('scope-status', 'Pick a period whose first day is not after its last.', 'error');
  let siteId;
  try {
    siteId = await pickedSite();
  } catch (err) {
    if (err.status !== 401) setStatus('scope-status', `No such site for this key: ${err.message}`, 'error');
    return;
  }
  if (!siteId) return setStatus('scope-status', 'Pick a site (or paste its id).', 'error');
  state.scope = { siteId, ...periodOf(fromDate, toDate) };
  state.shown.clear();
  setStatus('scope-status', '');
  return openTab(state.tab);
}

/** A tab loads its data when first shown for the current site and period. */
function openTab(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll('[role=tab]')) button.setAttribute('aria-selected', String(button.dataset.tab === tab));
  for (const name of Object.keys(TABS)) byId(`tab-${name}`).hidden = name !== tab;
  if (!state.scope || state.shown.get(tab) === state.scope) return;
  state.shown.set(tab, state.scope);
  return TABS[tab](state.scope);
}

async function enter(clients) {
  state.clients = clients;
  byId('login-view').hidden = true;
  byId('app-view').hidden = false;
  byId('sign-out').hidden = false;
  const key = session.key() ?? '';
  // The key's public prefix only (as GET /v1/clients/:id/api-keys shows it), never the secret part.
  byId('who').textContent = key.startsWith('ctk_live_') ? `Signed in with key ${key.slice(0, 13)}…` : 'Signed in with the operator key';
  fillSelect(byId('client-select'), clients, (c) => c.name);
  const today = new Date();
  const monthAgo = new Date(today);
  monthAgo.setDate(monthAgo.getDate() - 29);
  if (!byId('from-date').value) byId('from-date').value = isoDay(monthAgo);
  if (!byId('to-date').value) byId('to-date').value = isoDay(today);
  if (!clients.length) return setStatus('scope-status', 'This key can see no client.', 'error');
  await loadSites();
  if (byId('site-select').value) await applyScope();
}

async function onSignIn(event) {
  event.preventDefault();
  const key = byId('api-key').value.trim();
  const error = byId('login-error');
  error.hidden = true;
  byId('sign-in').disabled = true;
  try {
    const clients = await signIn(key);
    byId('api-key').value = '';
    await enter(clients);
  } catch (err) {
    error.textContent = err.status === 401 ? 'This key was not accepted. Check that you copied the whole key (it starts with ctk_live_) and that it has not been revoked.' : `Could not sign in: ${err.message}`;
    error.hidden = false;
  } finally {
    byId('sign-in').disabled = false;
  }
}

function start() {
  whenUnauthorized((message) => showLogin(message));
  byId('login-form').addEventListener('submit', onSignIn);
  byId('sign-out').addEventListener('click', () => showLogin(''));
  byId('client-select').addEventListener('change', () => loadSites());
  byId('scope-form').addEventListener('submit', (e) => {
    e.preventDefault();
    applyScope();
  });
  for (const button of document.querySelectorAll('[role=tab]')) button.addEventListener('click', () => openTab(button.dataset.tab));
  wireCalls();
  wirePools();
  // A reload of the tab keeps the session: the key is still in this tab's sessionStorage.
  if (session.key()) {
    api('/v1/clients')
      .then((answer) => enter(answer.data))
      .catch((err) => (err.status === 401 ? undefined : showLogin(`Could not reach the service: ${err.message}`)));
  } else {
    showLogin('');
  }
}

start();
