import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Site } from '../sites/site-store';
import { numberShape } from './number-shape';
import type { ScriptConfig } from './script/types';
import { trackerBundle } from './tracker-bundle';

export interface BuiltScript {
  body: string;
  gzipped: Buffer;
  etag: string;
}

const PLACEHOLDER = '__CT_CONFIG__';

/** JSON that is also safe inside a <script> element and in pre-ES2019 string literals. */
const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** The site's settings as the browser script reads them. */
export function scriptConfig(site: Site, publicBaseUrl: string, heartbeatSeconds: number): ScriptConfig {
  return {
    siteKey: site.siteKey,
    api: publicBaseUrl,
    enabled: site.trackingEnabled,
    consent: site.consent,
    honorDnt: site.honorDnt,
    honorGpc: site.honorGpc,
    heartbeatSeconds,
    targets: site.swapTargets.map(numberShape),
  };
}

/**
 * One script per site: the static bundle with the site's settings written in. Built on first request
 * and kept in memory (with its gzipped form and ETag) until the site's settings change.
 */
export class TrackingScripts {
  private readonly cache = new Map<string, { config: string; script: BuiltScript }>();

  constructor(
    private readonly publicBaseUrl: string,
    private readonly heartbeatSeconds: number,
  ) {}

  async forSite(site: Site): Promise<BuiltScript> {
    const config = scriptJson(scriptConfig(site, this.publicBaseUrl, this.heartbeatSeconds));
    const cached = this.cache.get(site.siteKey);
    if (cached?.config === config) return cached.script;
    const template = await trackerBundle();
    const at = template.indexOf(PLACEHOLDER);
    if (at < 0) throw new Error('the tracking script bundle has no config placeholder');
    const body = template.slice(0, at) + config + template.slice(at + PLACEHOLDER.length);
    const script = { body, gzipped: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
    this.cache.set(site.siteKey, { config, script });
    return script;
  }
}
