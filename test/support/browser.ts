import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumRequirement = { met: existsSync(CHROMIUM_PATH), missing: `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)` };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
      // A person's browser: navigator.webdriver stays false (one test sets it to play a driven browser).
      '--disable-blink-features=AutomationControlled',
    ],
    ignoreDefaultArgs: ['--enable-automation'],
  });
}

export interface SeenRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/** Every request an HTTP handler answered, with a way to wait for one (no sleeping in tests). */
export class RequestLog {
  readonly seen: SeenRequest[] = [];
  private readonly events = new EventEmitter();

  middleware(): express.RequestHandler {
    return (req, res, next) => {
      res.on('finish', () => {
        const entry = { method: req.method, path: req.path, status: res.statusCode, body: (req as { body?: unknown }).body };
        this.seen.push(entry);
        this.events.emit('request', entry);
      });
      next();
    };
  }

  matching(method: string, path: RegExp): SeenRequest[] {
    return this.seen.filter((r) => r.method === method && path.test(r.path));
  }

  /** Resolves when `count` requests match (counting those already seen), or fails after `timeoutMs`. */
  waitFor(method: string, path: RegExp, count = 1, timeoutMs = 10_000): Promise<SeenRequest[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.matching(method, path);
        if (found.length < count) return false;
        clearTimeout(timer);
        this.events.off('request', check);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.events.off('request', check);
        reject(new Error(`waited ${timeoutMs} ms for ${count} x ${method} ${path}; saw ${this.matching(method, path).length}`));
      }, timeoutMs);
      if (!check()) this.events.on('request', check);
    });
  }
}

export interface Listening {
  server: http.Server;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

/** Serves `handler` on a free port of the loopback interface, under the host name given. */
export async function listen(handler: http.RequestListener, host: 'localhost' | '127.0.0.1'): Promise<Listening> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A client's website: HTML pages by path, each with the site's tracking snippet before `</head>`. */
export class ClientSite {
  private readonly pages = new Map<string, string>();
  readonly app = express();

  constructor() {
    this.app.get(/.*/, (req, res) => {
      const html = this.pages.get(req.path);
      if (html === undefined) return void res.status(404).send('no such page');
      res.set('Cache-Control', 'no-store').type('html').send(html);
    });
  }

  page(path: string, scriptUrl: string, body: string, title = 'Acme Plumbing'): void {
    this.pages.set(
      path,
      `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<script>window.ct = window.ct || function () { (ct.q = ct.q || []).push(arguments); };</script>
<script async src="${scriptUrl}"></script>
</head><body>${body}</body></html>`,
    );
  }
}
