/* global window */
// Chart.js (served from node_modules at /dashboard/vendor/chart.umd.js) behind two small helpers.

const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#dc2626', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
export const colour = (i) => PALETTE[i % PALETTE.length];

export const chartsAvailable = () => typeof window.Chart === 'function';

/** Draws a new chart on `canvas`, replacing the one drawn there before. */
export function drawChart(canvas, config) {
  if (!chartsAvailable()) return null;
  window.Chart.getChart(canvas)?.destroy();
  // No animation: figures appear as they are, and a screenshot shows the final chart.
  return new window.Chart(canvas, { ...config, options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options } });
}

export function clearChart(canvas) {
  if (chartsAvailable()) window.Chart.getChart(canvas)?.destroy();
}
