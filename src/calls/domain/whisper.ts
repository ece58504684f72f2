/**
 * What the answering agent hears before being put through ("Call from Google Ads"), so they know
 * which campaign rang before saying hello. Built from the credited visit's source and medium, or the
 * number's static source; anything unknown is "your website".
 */
const PAID_MEDIA = new Set(['cpc', 'ppc', 'paid', 'paidsearch', 'paid-search', 'paid_search', 'paidsocial', 'paid-social', 'paid_social', 'display', 'cpm']);
const AD_PLATFORMS: Record<string, string> = { google: 'Google Ads', bing: 'Microsoft Ads', microsoft: 'Microsoft Ads', facebook: 'Facebook Ads', instagram: 'Instagram Ads', linkedin: 'LinkedIn Ads' };
const NAMES: Record<string, string> = { google: 'Google', bing: 'Bing', duckduckgo: 'DuckDuckGo', yahoo: 'Yahoo', facebook: 'Facebook', instagram: 'Instagram', linkedin: 'LinkedIn', twitter: 'X', x: 'X' };
export const UNKNOWN_SOURCE = 'your website';
const MAX_SPOKEN = 120;

export interface SourceFacts {
  source: string | null;
  medium: string | null;
  staticSource: string | null;
}

/** 'google'/'cpc' -> 'Google Ads'; 'google'/'organic' -> 'Google search'; a static source as written. */
export function describeSource(f: SourceFacts | null): string {
  if (!f) return UNKNOWN_SOURCE;
  if (f.staticSource) return f.staticSource;
  const source = f.source?.trim().toLowerCase();
  const medium = f.medium?.trim().toLowerCase() ?? '';
  if (!source || source === '(direct)' || source === '(not set)') return UNKNOWN_SOURCE;
  const name = NAMES[source] ?? f.source!.trim();
  if (PAID_MEDIA.has(medium)) return AD_PLATFORMS[source] ?? `${name} ads`;
  if (medium === 'organic') return `${name} search`;
  if (medium === 'email') return 'an email';
  return name;
}

/** Fills the template's {source}; the result is plain text for <Say> (TwiML escaping is the builder's). */
export function whisperText(template: string, source: string): string {
  const text = template.includes('{source}') ? template.split('{source}').join(source) : template;
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_SPOKEN);
}
