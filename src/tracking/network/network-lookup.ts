import path from 'node:path';
import { getLogger } from '../../shared/logging/logger';
import { parsePublicIp } from './ip-address';
import { IpRangeTable, loadIpRangeTable } from './ip-range-table';

const log = getLogger('network-lookup');

/** What the visitor's IP address says about their network; nulls when it says nothing. */
export interface NetworkInfo {
  asn: number | null;
  /** The network's owner ('Comcast Cable Communications, LLC'): the visitor's ISP, or a host. */
  isp: string | null;
  /** ISO 3166 alpha-2, of the network's registration. */
  country: string | null;
}

export interface NetworkLookup {
  lookup(ip: string | null): Promise<NetworkInfo>;
}

export const NO_NETWORK_INFO: NetworkInfo = Object.freeze({ asn: null, isp: null, country: null });

export interface NetworkDatabaseFiles {
  asnV4: string;
  asnV6: string;
  countryV4: string;
  countryV6: string;
}

/** The CSVs the @ip-location-db/asn and /asn-country packages ship (offline; no call leaves the machine). */
export function ipLocationDbFiles(): NetworkDatabaseFiles {
  const asn = path.dirname(require.resolve('@ip-location-db/asn/package.json'));
  const country = path.dirname(require.resolve('@ip-location-db/asn-country/package.json'));
  return {
    asnV4: path.join(asn, 'asn-ipv4-num.csv'),
    asnV6: path.join(asn, 'asn-ipv6-num.csv'),
    countryV4: path.join(country, 'asn-country-ipv4-num.csv'),
    countryV6: path.join(country, 'asn-country-ipv6-num.csv'),
  };
}

interface Tables {
  asn: IpRangeTable;
  isp: Map<number, string>;
  country: IpRangeTable;
}

/**
 * ASN, ISP and country of an IP address from offline databases (RouteViews / DB-IP / NRO data, CC BY 4.0,
 * via ip-location-db). Loaded on first use (or warmUp), a line at a time, into typed arrays: about
 * 600,000 ranges. Private and loopback addresses are answered without loading anything. If the files
 * cannot be read, every lookup answers "unknown" and the service carries on.
 */
export class IpLocationDbLookup implements NetworkLookup {
  private tables?: Promise<Tables | null>;

  constructor(private readonly files: () => NetworkDatabaseFiles = ipLocationDbFiles) {}

  /** Starts loading in the background, so the first public visitor does not wait for it. */
  warmUp(): void {
    void this.load();
  }

  async lookup(ip: string | null): Promise<NetworkInfo> {
    const parsed = ip ? parsePublicIp(ip) : null;
    if (!parsed) return NO_NETWORK_INFO;
    const tables = await this.load();
    if (!tables) return NO_NETWORK_INFO;
    const asn = tables.asn.find(parsed);
    const country = tables.country.find(parsed);
    return {
      asn,
      isp: asn === null ? null : (tables.isp.get(asn) ?? null),
      country: country === null ? null : String.fromCharCode(country >> 8, country & 0xff),
    };
  }

  private load(): Promise<Tables | null> {
    this.tables ??= this.read().catch((err: unknown) => {
      log.warn('network databases could not be loaded; visits are stored without ASN, ISP and country', { error: err });
      return null;
    });
    return this.tables;
  }

  private async read(): Promise<Tables> {
    const files = this.files();
    const started = Date.now();
    const isp = new Map<number, string>();
    const asn = await loadIpRangeTable(files.asnV4, files.asnV6, (rest) => {
      // 'asn,organisation' where the organisation may be quoted ("Cloudflare, Inc.").
      const comma = rest.indexOf(',');
      const number = Number(comma < 0 ? rest : rest.slice(0, comma));
      if (!Number.isSafeInteger(number) || number <= 0) return null;
      if (comma >= 0 && !isp.has(number)) isp.set(number, unquote(rest.slice(comma + 1)));
      return number;
    });
    const country = await loadIpRangeTable(files.countryV4, files.countryV6, (rest) => {
      const code = rest.trim();
      return /^[A-Z]{2}$/.test(code) ? (code.charCodeAt(0) << 8) | code.charCodeAt(1) : null;
    });
    log.info('network databases loaded', { ranges: asn.size + country.size, bytes: asn.bytes + country.bytes, organisations: isp.size, ms: Date.now() - started });
    return { asn, isp, country };
  }
}

/**
 * The field as a string of its own: a slice of a line would keep the whole megabyte read-buffer it came
 * from alive (V8 sliced strings), about 30 MB for the file, where the names alone take a few.
 */
function unquote(field: string): string {
  const trimmed = field.trim();
  const text = trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1).replace(/""/g, '"') : trimmed;
  return Buffer.from(text, 'utf8').toString('utf8');
}
