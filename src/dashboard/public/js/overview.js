// Overview: calls by source per day (stacked bars) and the totals per source, from GET /v1/reports/calls.
import { api, isMissingEndpoint, query } from './api.js';
import { byId, duration, el, fillFacts, percent, setStatus } from './dom.js';
import { chartsAvailable, clearChart, colour, drawChart } from './charts.js';

/** What a call with no known source is shown as (a direct visit, or a number not tied to a campaign). */
const NO_SOURCE = '(none)';
const sourceName = (source) => (source === null || source === undefined || source === '' ? NO_SOURCE : source);

/** Every calendar day from `first` to `last` (YYYY-MM-DD, inclusive), so days without calls show as zero. */
export function daysBetween(first, last) {
  const days = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`) && days.length < 400; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

function report(scope, groupBy) {
  return api(`/v1/reports/calls?${query({ siteId: scope.siteId, from: scope.from, to: scope.to, groupBy, timeZone: scope.timeZone })}`);
}

function renderTotals(totals) {
  fillFacts(byId('overview-totals'), [
    ['Calls', String(totals.calls), 'calls'],
    ['Answer rate', percent(totals.answerRate), 'answer-rate'],
    ['First-time callers', String(totals.firstTimeCallers), 'first-time'],
    ['Repeat callers', String(totals.repeatCallers), 'repeat'],
    ['Average talk time', duration(totals.talkSecondsAverage), 'avg-talk'],
  ]);
}

function renderSourceTable(groups) {
  const rows = [...groups]
    .sort((a, b) => b.calls - a.calls)
    .map((g) =>
      el(
        'tr',
        { dataset: { source: sourceName(g.key.source) } },
        el('td', { text: sourceName(g.key.source) }),
        el('td', { class: 'num', text: g.calls }),
        el('td', { class: 'num', text: g.answered }),
        el('td', { class: 'num', text: g.missed }),
        el('td', { class: 'num', text: percent(g.answerRate) }),
        el('td', { class: 'num', text: g.firstTimeCallers }),
        el('td', { class: 'num', text: g.repeatCallers }),
        el('td', { class: 'num', text: duration(g.talkSecondsAverage) }),
      ),
    );
  byId('source-table').tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 8, text: 'No calls in this period.' }))]));
}

function renderChart(scope, groups) {
  const days = daysBetween(scope.fromDate, scope.toDate);
  const sources = [...new Set(groups.map((g) => sourceName(g.key.source)))].sort();
  const counts = new Map(groups.map((g) => [`${g.key.day}|${sourceName(g.key.source)}`, g.calls]));
  drawChart(byId('calls-by-source-chart'), {
    type: 'bar',
    data: {
      labels: days,
      datasets: sources.map((source, i) => ({ label: source, data: days.map((d) => counts.get(`${d}|${source}`) ?? 0), backgroundColor: colour(i) })),
    },
    options: {
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { title: { display: false }, legend: { position: 'bottom' } },
    },
  });
}

export async function showOverview(scope) {
  setStatus('overview-status', 'Loading…');
  try {
    const [byDay, bySource] = await Promise.all([report(scope, 'day,source'), report(scope, 'source')]);
    renderTotals(bySource.totals);
    renderSourceTable(bySource.groups);
    renderChart(scope, byDay.groups);
    const note = chartsAvailable() ? '' : ' (the chart library did not load, so no chart is drawn)';
    setStatus('overview-status', `${bySource.totals.calls} call(s) from ${scope.fromDate} to ${scope.toDate}, days in ${byDay.timeZone}${note}.`);
  } catch (err) {
    clearChart(byId('calls-by-source-chart'));
    byId('overview-totals').replaceChildren();
    byId('source-table').tBodies[0].replaceChildren();
    if (err.status === 401) return;
    setStatus('overview-status', isMissingEndpoint(err) ? 'Reports not available on this server (no /v1/reports/calls).' : `Could not load the report: ${err.message}`, 'error');
  }
}

export function resetOverview() {
  clearChart(byId('calls-by-source-chart'));
  byId('overview-totals').replaceChildren();
  byId('source-table').tBodies[0].replaceChildren();
  setStatus('overview-status', '');
}
