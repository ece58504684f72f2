import { z } from 'zod';
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import { problems } from '../components';
import { DASHBOARD_PATH, VENDOR_FILE_NAMES } from '../../dashboard/dashboard-routes';

const html = { 200: { description: 'An HTML page (its own Content-Security-Policy: scripts, styles and requests from this origin only).', content: { 'text/html': { schema: { type: 'string' as const } } } } };

/**
 * The client dashboard (docs/dashboard.md): static files, public because they hold no data; the page
 * reads everything from /v1 with the API key its user signs in with. Its scripts and styles under
 * /dashboard/js/ and /dashboard/dashboard.css are static files, not routes.
 */
export const dashboardOperations: RouteConfig[] = [
  ...['/dashboard', DASHBOARD_PATH].map((path): RouteConfig => ({ method: 'get', path, tags: ['Dashboard'], summary: 'The client dashboard (sign in with an API key)', responses: html })),
  {
    method: 'get',
    path: '/dashboard/vendor/{file}',
    tags: ['Dashboard'],
    summary: 'The charting library the dashboard uses (Chart.js, from this service, never a CDN)',
    request: { params: z.object({ file: z.enum(VENDOR_FILE_NAMES) }) },
    responses: {
      200: { description: 'The Chart.js UMD build (or its source map).', content: { 'text/javascript': { schema: { type: 'string' } } } },
      ...problems([404, 'No such file.']),
    },
  },
];
