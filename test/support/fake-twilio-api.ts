import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type RequestClientModule from 'twilio/lib/base/RequestClient';

/**
 * A local stand-in for the parts of Twilio's REST API the provider uses, answering with the JSON
 * shapes Twilio documents (including its error documents), and recording every request so a test can
 * assert exactly what the service asked for. Point a twilio client at it with `httpClient()`.
 *
 *   GET    /2010-04-01/Accounts/{AC}/AvailablePhoneNumbers/{CC}/{Local|TollFree|Mobile}.json
 *   POST   /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json            (buy)
 *   GET    /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers.json            (list, paged)
 *   POST   /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers/{PN}.json       (update)
 *   DELETE /2010-04-01/Accounts/{AC}/IncomingPhoneNumbers/{PN}.json       (release)
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  /** The account SID the request authenticated as (HTTP basic auth user). */
  accountSid: string | null;
}

export interface IncomingNumber {
  sid: string;
  phone_number: string;
  friendly_name: string;
  voice_url: string | null;
  voice_method: string;
  voice_fallback_url: string | null;
  voice_fallback_method: string;
  status_callback: string | null;
  status_callback_method: string;
  bundle_sid: string | null;
  address_sid: string | null;
}

type NumberKind = 'Local' | 'TollFree' | 'Mobile';

export class FakeTwilioApi {
  readonly requests: RecordedRequest[] = [];
  /** The account's numbers, by PN sid. */
  readonly owned = new Map<string, IncomingNumber>();
  private readonly available = new Map<string, string[]>();
  private rateLimited = 0;
  private readonly regulated = new Map<string, { bundle: boolean; address: boolean }>();
  private readonly refusedNumbers = new Map<string, { code: number; message: string }>();
  /** Page size of IncomingPhoneNumbers lists, so tests exercise paging. */
  listPageSize = 50;
  /** Answer every request 401 (error 20003), as for a wrong auth token. */
  rejectCredentials = false;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeTwilioApi> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const api = new FakeTwilioApi(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    server.on('request', (req, res) => void api.handle(req, res));
    return api;
  }

  /** A twilio RequestClient that sends every request for api.twilio.com here instead. */
  httpClient(): twilio.RequestClient {
    return new LocalRequestClient(this.baseUrl);
  }

  /** Numbers Twilio offers in `country` (E.164), as the search endpoint lists them. */
  offer(country: string, numbers: string[], kind: NumberKind = 'Local'): void {
    this.available.set(`${country}/${kind}`, numbers);
  }

  /** The next `n` requests, whatever they are, get 429 with Twilio error 20429. */
  rateLimitNext(n: number): void {
    this.rateLimited = n;
  }

  /** Buying a number of `country` needs a BundleSid (21649) and/or an AddressSid (21631). */
  regulate(country: string, needs: { bundle?: boolean; address?: boolean }): void {
    this.regulated.set(country, { bundle: needs.bundle ?? false, address: needs.address ?? false });
  }

  /** Buying this number fails with the given Twilio error (e.g. 21422, no longer available). */
  refuse(e164: string, code: number, message: string): void {
    this.refusedNumbers.set(e164, { code, message });
  }

  /** A number already in the account (bought by hand, or before), with the webhooks given. */
  addOwned(n: Partial<IncomingNumber> & { phone_number: string }): IncomingNumber {
    const number = { ...incoming(n.phone_number, {}), ...n };
    this.owned.set(number.sid, number);
    return number;
  }

  /** Forgets recorded requests and every rule set up by a test; the account's numbers stay. */
  reset(): void {
    this.requests.length = 0;
    this.rateLimited = 0;
    this.regulated.clear();
    this.refusedNumbers.clear();
    this.rejectCredentials = false;
    this.listPageSize = 50;
  }

  requestsTo(method: string, pathPattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const body = await readBody(req);
    const auth = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8') : null;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form: Object.fromEntries(new URLSearchParams(body)),
      accountSid: auth ? auth.split(':')[0] : null,
    };
    this.requests.push(recorded);
    if (this.rateLimited > 0) {
      this.rateLimited -= 1;
      return error(res, 429, 20429, 'Too Many Requests');
    }
    const account = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\//.exec(url.pathname)?.[1];
    if (!account || account !== recorded.accountSid || this.rejectCredentials) return error(res, 401, 20003, 'Authenticate');
    const rest = url.pathname.slice(`/2010-04-01/Accounts/${account}`.length);

    const search = /^\/AvailablePhoneNumbers\/([A-Z]{2})\/(Local|TollFree|Mobile)\.json$/.exec(rest);
    if (search && recorded.method === 'GET') return this.search(res, account, search[1], search[2] as NumberKind, recorded.query);
    if (rest === '/IncomingPhoneNumbers.json' && recorded.method === 'POST') return this.buy(res, account, recorded.form);
    if (rest === '/IncomingPhoneNumbers.json' && recorded.method === 'GET') return this.list(res, account, recorded.query);
    const one = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest);
    if (one) {
      const number = this.owned.get(one[1]);
      if (!number) return error(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${account}/IncomingPhoneNumbers/${one[1]}.json was not found`);
      if (recorded.method === 'DELETE') {
        this.owned.delete(one[1]);
        res.writeHead(204).end();
        return;
      }
      if (recorded.method === 'POST') {
        const f = recorded.form;
        if ('VoiceUrl' in f) number.voice_url = f.VoiceUrl;
        if ('VoiceMethod' in f) number.voice_method = f.VoiceMethod;
        if ('VoiceFallbackUrl' in f) number.voice_fallback_url = f.VoiceFallbackUrl;
        if ('VoiceFallbackMethod' in f) number.voice_fallback_method = f.VoiceFallbackMethod;
        if ('StatusCallback' in f) number.status_callback = f.StatusCallback;
        if ('StatusCallbackMethod' in f) number.status_callback_method = f.StatusCallbackMethod;
        return json(res, 200, resource(account, number));
      }
    }
    error(res, 404, 20404, 'The requested resource was not found');
  }

  private search(res: ServerResponse, account: string, country: string, kind: NumberKind, q: Record<string, string>): void {
    let numbers = this.available.get(`${country}/${kind}`) ?? [];
    numbers = numbers.filter((n) => ![...this.owned.values()].some((o) => o.phone_number === n));
    if (q.AreaCode) numbers = numbers.filter((n) => n.startsWith(`+1${q.AreaCode}`));
    // Twilio's pattern: a leading + anchors at the start, a trailing % matches the rest.
    if (q.Contains) {
      const anchored = q.Contains.startsWith('+');
      const core = q.Contains.replace(/^\+/, '').replace(/%$/, '');
      numbers = numbers.filter((n) => (anchored ? n.slice(1).startsWith(core) : n.includes(core)));
    }
    const size = Number(q.PageSize ?? 50);
    const page = numbers.slice(0, size).map((n) => ({
      friendly_name: n,
      phone_number: n,
      lata: null,
      locality: null,
      rate_center: null,
      latitude: null,
      longitude: null,
      region: null,
      postal_code: null,
      iso_country: country,
      address_requirements: this.regulated.get(country)?.address ? 'any' : 'none',
      beta: false,
      capabilities: { voice: true, SMS: true, MMS: false, fax: false },
    }));
    const uri = `/2010-04-01/Accounts/${account}/AvailablePhoneNumbers/${country}/${kind}.json`;
    json(res, 200, { available_phone_numbers: page, uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null, page: 0, page_size: size, start: 0, end: Math.max(page.length - 1, 0) });
  }

  private buy(res: ServerResponse, account: string, f: Record<string, string>): void {
    const e164 = f.PhoneNumber;
    if (!e164) return error(res, 400, 21450, 'Phone number or area code is required');
    const refused = this.refusedNumbers.get(e164);
    if (refused) return error(res, 400, refused.code, refused.message);
    const country = e164.startsWith('+44') ? 'GB' : 'US';
    const rules = this.regulated.get(country);
    if (rules?.bundle && !f.BundleSid) return error(res, 400, 21649, 'Phone Number Requires a Bundle: a Bundle is required for this phone number type and country.');
    if (rules?.address && !f.AddressSid) return error(res, 400, 21631, 'Phone Number Requires an Address: an Address is required for this phone number type and country.');
    const number = incoming(e164, f);
    this.owned.set(number.sid, number);
    json(res, 201, resource(account, number));
  }

  private list(res: ServerResponse, account: string, q: Record<string, string>): void {
    const size = Math.min(Number(q.PageSize ?? 50), this.listPageSize);
    const page = Number(q.Page ?? 0);
    const all = [...this.owned.values()].sort((a, b) => a.sid.localeCompare(b.sid));
    const rows = all.slice(page * size, (page + 1) * size);
    const uri = `/2010-04-01/Accounts/${account}/IncomingPhoneNumbers.json`;
    const more = (page + 1) * size < all.length;
    json(res, 200, {
      incoming_phone_numbers: rows.map((n) => resource(account, n)),
      uri: `${uri}?PageSize=${size}&Page=${page}`,
      first_page_uri: `${uri}?PageSize=${size}&Page=0`,
      next_page_uri: more ? `${uri}?PageSize=${size}&Page=${page + 1}&PageToken=PA${page + 1}` : null,
      previous_page_uri: page > 0 ? `${uri}?PageSize=${size}&Page=${page - 1}` : null,
      page,
      page_size: size,
      start: page * size,
      end: page * size + Math.max(rows.length - 1, 0),
    });
  }
}

/** Sends what the twilio client addresses to https://api.twilio.com to the fake instead. */
class LocalRequestClient extends twilio.RequestClient {
  constructor(private readonly target: string) {
    super({ timeout: 5000 });
  }

  request<TData>(opts: RequestClientModule.RequestOptions<TData>) {
    const u = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.target}${u.pathname}${u.search}` });
  }
}

function incoming(e164: string, f: Record<string, string>): IncomingNumber {
  return {
    sid: `PN${createHash('sha256').update(e164).digest('hex').slice(0, 32)}`,
    phone_number: e164,
    friendly_name: f.FriendlyName ?? e164,
    voice_url: f.VoiceUrl ?? null,
    voice_method: f.VoiceMethod ?? 'POST',
    voice_fallback_url: f.VoiceFallbackUrl ?? null,
    voice_fallback_method: f.VoiceFallbackMethod ?? 'POST',
    status_callback: f.StatusCallback ?? null,
    status_callback_method: f.StatusCallbackMethod ?? 'POST',
    bundle_sid: f.BundleSid ?? null,
    address_sid: f.AddressSid ?? null,
  };
}

/** An IncomingPhoneNumber resource as Twilio returns it (the fields the SDK maps, and then some). */
function resource(account: string, n: IncomingNumber) {
  return {
    account_sid: account,
    address_requirements: 'none',
    address_sid: n.address_sid,
    api_version: '2010-04-01',
    beta: false,
    bundle_sid: n.bundle_sid,
    capabilities: { voice: true, sms: true, mms: false, fax: false },
    date_created: 'Mon, 30 Nov 2026 10:00:00 +0000',
    date_updated: 'Mon, 30 Nov 2026 10:00:00 +0000',
    emergency_status: 'Inactive',
    friendly_name: n.friendly_name,
    identity_sid: null,
    origin: 'twilio',
    phone_number: n.phone_number,
    sid: n.sid,
    sms_url: '',
    status: 'in-use',
    status_callback: n.status_callback ?? '',
    status_callback_method: n.status_callback_method,
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${account}/IncomingPhoneNumbers/${n.sid}.json`,
    voice_application_sid: null,
    voice_caller_id_lookup: false,
    voice_fallback_method: n.voice_fallback_method,
    voice_fallback_url: n.voice_fallback_url ?? '',
    voice_method: n.voice_method,
    voice_url: n.voice_url ?? '',
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Twilio's error document. */
function error(res: ServerResponse, status: number, code: number, message: string): void {
  json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
