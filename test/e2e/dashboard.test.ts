import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { useTestApp } from '../support/fixtures';

/** The directives of a Content-Security-Policy header, by name. */
function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
}

// Static files: the backend does not matter, the embedded one is enough.
describe('the dashboard’s files', () => {
  const app = useTestApp('embedded', true);

  it.each(['/dashboard', '/dashboard/'])('when %s is opened, then it answers the page with a CSP that admits only this origin’s files and no framing', async (url) => {
    const res = await request(app().app).get(url).expect(200);

    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('<form id="login-form"');
    const csp = directives(String(res.headers['content-security-policy']));
    expect(csp).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'connect-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    expect(res.headers['x-frame-options']).toBe('DENY');
    // No inline code for the CSP to refuse, and nothing from another origin.
    expect(res.text).not.toMatch(/<script>|<style|\sstyle=|\son[a-z]+=/i);
    expect(res.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('when the chart library is fetched, then it is Chart.js 4 from node_modules, served as JavaScript', async () => {
    const res = await request(app().app).get('/dashboard/vendor/chart.umd.js').expect(200);

    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(res.text).toMatch(/Chart\.js v4\.\d+\.\d+/);
    const installed = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
    expect(res.text).toBe(readFileSync(installed, 'utf8'));
  });

  it('when the page’s own scripts and styles are fetched, then each is served with its type', async () => {
    const js = await request(app().app).get('/dashboard/js/main.js').expect(200);
    const css = await request(app().app).get('/dashboard/dashboard.css').expect(200);

    expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(js.text).toContain("from './api.js'");
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it.each(['/dashboard/vendor/package.json', '/dashboard/vendor/constructor', '/dashboard/../package.json', '/dashboard/%2e%2e/%2e%2e/package.json', '/dashboard/js/nope.js'])(
    'when %s is asked for, then it is not found as a problem document, and nothing outside the dashboard’s files is served',
    async (url) => {
      const res = await request(app().app).get(url);

      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    },
  );
});
