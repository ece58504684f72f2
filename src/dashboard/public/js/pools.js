// Pools: each pool of the site with its live state, health over the period (utilisation, exhaustion,
// ambiguous calls), the sizing advice, and a form to provision more numbers.
import { api, ApiError, isMissingEndpoint, query } from './api.js';
import { byId, el, fillFacts, formatDateTime, percent, setStatus } from './dom.js';
import { clearChart, drawChart } from './charts.js';

/** The health endpoint looks back at most 35 days. */
const HEALTH_WINDOW_MS = 35 * 86_400_000;
let scope = null;
let generation = 0;
/** Pool ids typed in by hand, per site, for servers that cannot list a site's pools. */
const addedByHand = new Map();

/**
 * The site's pool ids: GET /v1/pools?siteId= where the server has it; otherwise the pools its calls
 * came through, plus any typed in (an older server lists no pools, and a new pool has no calls yet).
 */
async function poolIdsOf(siteId) {
  const manual = [...(addedByHand.get(siteId) ?? [])];
  try {
    const listed = await api(`/v1/pools?${query({ siteId })}`);
    return { ids: [...new Set([...listed.data.map((p) => p.id), ...manual])], listed: true };
  } catch (err) {
    if (!isMissingEndpoint(err)) throw err;
    const calls = await api(`/v1/calls?${query({ siteId, limit: 500 })}`);
    return { ids: [...new Set([...calls.data.map((c) => c.poolId).filter(Boolean), ...manual])], listed: false };
  }
}

function healthWindow() {
  const to = Date.parse(scope.to);
  return { from: new Date(Math.max(Date.parse(scope.from), to - HEALTH_WINDOW_MS)).toISOString(), to: scope.to };
}

function renderHealth(card, health) {
  const s = health.sizing ?? {};
  const live = health.live;
  fillFacts(card.querySelector('.health-facts'), [
    ['Live: leased / total', live ? `${live.leased} / ${live.total}` : 'not available', 'live'],
    ['Live utilisation', live ? percent(live.utilisation) : '–', 'live-utilisation'],
    ['Exhaustion (no number free)', String(health.exhaustion.total), 'exhaustion'],
    ['Ambiguous calls', `${health.attribution.ambiguous} of ${health.attribution.calls} (${percent(health.attribution.ambiguousShare)})`, 'ambiguous'],
    ['Busiest hour arrivals', s.peakArrivalsPerHour === null || s.peakArrivalsPerHour === undefined ? '–' : `${s.peakArrivalsPerHour} per hour`, 'peak-arrivals'],
    ['Offered traffic', s.offeredErlangs === null || s.offeredErlangs === undefined ? '–' : `${Number(s.offeredErlangs).toFixed(2)} Erlangs`, 'erlangs'],
    ['Blocking now', percent(s.blockingProbability), 'blocking'],
  ]);
  const advice = card.querySelector('.advice');
  advice.replaceChildren(
    el('strong', { text: 'Sizing advice: ' }),
    el('span', { class: 'advice-text', text: s.advice ?? 'none' }),
    el('span', { class: 'advice-sizes', text: ` (recommended ${s.recommendedSize ?? '–'} numbers, current ${s.currentSize ?? '–'}, target blocking ${percent(s.targetBlocking)})` }),
  );
  advice.dataset.recommended = s.recommendedSize ?? '';
  advice.dataset.current = s.currentSize ?? '';
  const points = health.utilisation ?? [];
  drawChart(card.querySelector('canvas'), {
    type: 'line',
    data: {
      labels: points.map((p) => formatDateTime(p.at)),
      datasets: [{ label: 'Numbers leased (%)', data: points.map((p) => (p.utilisation === null ? null : Math.round(p.utilisation * 1000) / 10)), borderColor: '#2563eb', backgroundColor: '#2563eb', pointRadius: points.length > 60 ? 0 : 2, spanGaps: true }],
    },
    options: { scales: { y: { beginAtZero: true, suggestedMax: 100, title: { display: true, text: '% leased' } } }, plugins: { legend: { display: false } } },
  });
  card.querySelector('.health-status').textContent = points.length ? `${points.length} sample(s) from ${formatDateTime(health.from)} to ${formatDateTime(health.to)}.` : 'No utilisation samples in this period yet.';
}

async function loadHealth(card, poolId) {
  const status = card.querySelector('.health-status');
  status.textContent = 'Loading health…';
  try {
    renderHealth(card, await api(`/v1/pools/${encodeURIComponent(poolId)}/health?${query(healthWindow())}`));
  } catch (err) {
    clearChart(card.querySelector('canvas'));
    if (err.status === 401) return;
    status.textContent = isMissingEndpoint(err) ? 'Pool health not available on this server.' : `Could not load health: ${err.message}`;
    status.dataset.kind = 'error';
  }
}

async function loadNumbers(card, poolId) {
  const [pool, numbers] = await Promise.all([api(`/v1/pools/${encodeURIComponent(poolId)}`), api(`/v1/pools/${encodeURIComponent(poolId)}/numbers`)]);
  const inUse = numbers.data.filter((n) => n.status !== 'released' && n.status !== 'quarantined');
  card.querySelector('.pool-name').textContent = pool.name;
  fillFacts(card.querySelector('.pool-facts'), [
    ['Numbers', String(inUse.length), 'number-count'],
    ['In the pool store', pool.stats ? `${pool.stats.total} total, ${pool.stats.leased} leased, ${pool.stats.available} free, ${pool.stats.coolingDown} cooling down` : '–', 'stats'],
    ['Lease / grace / cooldown', `${pool.leaseSeconds} s / ${pool.graceSeconds} s / ${pool.cooldownSeconds} s`, 'timing'],
    ['When exhausted', pool.exhaustionPolicy, 'policy'],
  ]);
}

async function provision(card, poolId, form) {
  const result = card.querySelector('.provision-result');
  const data = new FormData(form);
  const body = { count: Number(data.get('count')), country: String(data.get('country')) };
  const areaCode = String(data.get('areaCode') ?? '').trim();
  if (areaCode) body.areaCode = areaCode;
  const submit = form.querySelector('button');
  submit.disabled = true;
  result.textContent = 'Provisioning…';
  result.dataset.kind = 'info';
  try {
    const answer = await api(`/v1/pools/${encodeURIComponent(poolId)}/numbers`, { method: 'POST', body });
    const failed = answer.failed?.length ? `; ${answer.failed.length} could not be bought` : '';
    result.replaceChildren(el('span', { text: `Added ${answer.numbers.length} number(s)${failed}: ` }), el('span', { class: 'provisioned', text: answer.numbers.map((n) => n.e164).join(', ') }));
    // The new numbers change the pool's size, so its live state and sizing advice too.
    await Promise.all([loadNumbers(card, poolId), loadHealth(card, poolId)]);
  } catch (err) {
    if (err.status === 401) return;
    // The problem document's detail says what to change (e.g. "areaCode: must be 2 to 4 digits").
    result.textContent = err instanceof ApiError ? `Not provisioned: ${err.message}` : `Not provisioned: ${String(err)}`;
    result.dataset.kind = 'error';
  } finally {
    submit.disabled = false;
  }
}

function provisionForm(card, poolId) {
  const form = el(
    'form',
    { class: 'provision inline-form' },
    el('label', {}, 'Count ', el('input', { name: 'count', type: 'number', min: 1, max: 100, value: 1, required: true })),
    el('label', {}, 'Country ', el('select', { name: 'country' }, ...['GB', 'US', 'CA'].map((c) => el('option', { value: c, text: c })))),
    el('label', {}, 'Area code ', el('input', { name: 'areaCode', size: 5, inputmode: 'numeric', placeholder: 'optional' })),
    el('button', { type: 'submit', text: 'Provision numbers' }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    provision(card, poolId, form);
  });
  return form;
}

function poolCard(poolId) {
  const card = el(
    'article',
    { class: 'pool', dataset: { poolId } },
    el('h3', {}, el('span', { class: 'pool-name', text: 'Pool' }), ' ', el('small', { class: 'muted', text: poolId })),
    el('dl', { class: 'facts pool-facts' }),
    el('h4', { text: 'Health' }),
    el('p', { class: 'status health-status' }),
    el('div', { class: 'chart-box small' }, el('canvas', { role: 'img', 'aria-label': 'Pool utilisation over time' })),
    el('dl', { class: 'facts health-facts' }),
    el('p', { class: 'advice' }),
    el('h4', { text: 'Provision numbers' }),
    el('p', { class: 'status provision-result', role: 'status' }),
  );
  card.append(provisionForm(card, poolId));
  return card;
}

async function showPool(container, poolId, mine) {
  const card = poolCard(poolId);
  if (mine !== generation) return;
  container.append(card);
  try {
    await loadNumbers(card, poolId);
  } catch (err) {
    if (err.status === 401) return;
    card.querySelector('.pool-name').textContent = err.status === 404 || err.status === 403 ? 'Pool not found for this key' : 'Pool';
    card.querySelector('.health-status').textContent = `Could not load the pool: ${err.message}`;
    return;
  }
  await loadHealth(card, poolId);
}

export async function showPools(newScope) {
  resetPools();
  scope = newScope;
  const mine = generation;
  setStatus('pools-status', 'Loading pools…');
  try {
    const { ids, listed } = await poolIdsOf(scope.siteId);
    if (mine !== generation) return;
    const how = listed ? '' : ' This server cannot list a site’s pools: shown are the pools its calls came through and any added by id.';
    setStatus('pools-status', `${ids.length} pool(s).${how}`);
    await Promise.all(ids.map((id) => showPool(byId('pools'), id, mine)));
  } catch (err) {
    if (mine === generation && err.status !== 401) setStatus('pools-status', `Could not load pools: ${err.message}`, 'error');
  }
}

export function resetPools() {
  generation += 1;
  for (const canvas of byId('pools').querySelectorAll('canvas')) clearChart(canvas);
  byId('pools').replaceChildren();
  setStatus('pools-status', '');
}

export function wirePools() {
  byId('pool-id-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const id = byId('pool-id-input').value.trim();
    if (!scope || !id) return;
    if (!addedByHand.has(scope.siteId)) addedByHand.set(scope.siteId, new Set());
    addedByHand.get(scope.siteId).add(id);
    byId('pool-id-input').value = '';
    showPools(scope);
  });
}
