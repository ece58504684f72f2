/**
 * Personal data never reaches a log line in clear. Phone numbers keep a country prefix and the last
 * two digits (enough to tell test calls apart), IP addresses keep their first block, secrets vanish.
 */
const SECRET_KEY = /(authorization|api[-_]?key|token|secret|password|cookie|signature)/i;
const PHONE_KEY = /(^|_)(from|to|caller|called|phone|number|e164|forwardedto|forward_to|forwardto|msisdn)$/i;
const IP_KEY = /(^|_)(ip|ipaddress|remoteaddress|x-forwarded-for)$/i;
// Our first-party cookie ids (visitor 'vr_', visit 'vs_') identify a browser: pseudonymous personal data.
const COOKIE_ID_KEY = /(^|_)(visitorid|visitid|visitor_id|visit_id)$/i;
const COOKIE_ID_IN_TEXT = /\b(v[rs])_[A-Za-z0-9_-]{8,64}/g;

// +country digits, or national numbers of 9+ digits with common separators. A digit run glued to a
// word is part of an id (hex CallSids) and is left alone, unless a plus (or its URL encoding, as in a
// logged request path) says a number starts there.
const PHONE_IN_TEXT = /(?:\+|(?<=%2[Bb])|(?<![\w+]))\d[\d\s().-]{7,}\d(?!\w)/g;
const IPV4_IN_TEXT = /\b(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;
const IPV6_IN_TEXT = /\b([0-9a-f]{1,4}):(?:[0-9a-f]{0,4}:){2,6}[0-9a-f]{0,4}\b/gi;

/** "+442079460123" -> "+44******0123": a fixed run of stars so the length is not revealed either. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 8) return '******';
  const prefix = value.trim().startsWith('+') ? `+${digits.slice(0, 2)}` : digits.slice(0, 1);
  return `${prefix}******${digits.slice(-4)}`;
}

export function maskIp(value: string): string {
  if (value.includes(':')) return `${value.split(':')[0]}:****`;
  return `${value.split('.')[0]}.***.***.***`;
}

/** "vs_AbC...xYz9" -> "vs_****xYz9". */
export function maskCookieId(value: string): string {
  const kind = /^v[rs]_/.test(value) ? value.slice(0, 3) : '';
  return `${kind}****${value.slice(-4)}`;
}

export function redactText(text: string): string {
  return text
    .replace(COOKIE_ID_IN_TEXT, (m) => maskCookieId(m))
    .replace(IPV4_IN_TEXT, (m) => maskIp(m))
    .replace(IPV6_IN_TEXT, (m) => maskIp(m))
    .replace(PHONE_IN_TEXT, (m) => (m.replace(/\D/g, '').length >= 9 ? maskPhone(m) : m));
}

export function redactValue(key: string, value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (SECRET_KEY.test(key)) return '[redacted]';
  // A number logged as a number (e.g. { to: 447700900123 }) is still a phone number.
  if (typeof value === 'number' && PHONE_KEY.test(key) && String(value).length >= 8) return maskPhone(String(value));
  if (typeof value === 'string') {
    if (PHONE_KEY.test(key)) return maskPhone(value);
    if (IP_KEY.test(key)) return maskIp(value);
    if (COOKIE_ID_KEY.test(key)) return maskCookieId(value);
    return redactText(value);
  }
  if (depth > 6) return '[depth]';
  if (Array.isArray(value)) return value.map((v) => redactValue(key, v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(k, v, depth + 1);
    return out;
  }
  return value;
}
