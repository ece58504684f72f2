/**
 * What Google Analytics 4 accepts, from its documentation (links in docs/ga4.md): the Measurement
 * Protocol answers 2xx even to events it then drops, so anything outside these rules would vanish
 * silently. Checked when a site's settings are saved and when a payload is built.
 */

/** The documented collection limits of a standard (not 360) property. */
export const GA4_LIMITS = {
  /** Event and parameter names. */
  nameLength: 40,
  paramsPerEvent: 25,
  /** String parameter values (GA4 360 allows more; we keep to the common limit). */
  paramValueLength: 100,
  /** Events may be backdated up to 72 hours (timestamp_micros); older ones are dropped. */
  maxBackdateMs: 72 * 60 * 60 * 1000,
} as const;

/** Reserved event names (web and app streams): a custom event may not use them. */
export const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  'ad_activeview', 'ad_click', 'ad_exposure', 'ad_impression', 'ad_query', 'ad_reward', 'adunit_exposure',
  'app_background', 'app_clear_data', 'app_exception', 'app_remove', 'app_store_refund', 'app_store_subscription_cancel',
  'app_store_subscription_convert', 'app_store_subscription_renew', 'app_update', 'app_upgrade', 'click',
  'dynamic_link_app_open', 'dynamic_link_app_update', 'dynamic_link_first_open', 'error', 'file_download',
  'firebase_campaign', 'firebase_in_app_message_action', 'firebase_in_app_message_dismiss', 'firebase_in_app_message_impression',
  'first_open', 'first_visit', 'form_start', 'form_submit', 'in_app_purchase', 'notification_dismiss', 'notification_foreground',
  'notification_open', 'notification_receive', 'os_update', 'page_view', 'screen_view', 'scroll', 'session_start',
  'user_engagement', 'video_complete', 'video_progress', 'video_start', 'view_search_results',
]);

/** Prefixes no event or parameter name may start with. */
export const RESERVED_PREFIXES = ['_', 'firebase_', 'ga_', 'google_', 'gtag.'] as const;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Why `name` cannot be a custom GA4 event name, or null when it can. */
export function ga4EventNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > GA4_LIMITS.nameLength) return `must be 1 to ${GA4_LIMITS.nameLength} characters`;
  if (!NAME.test(name)) return 'must start with a letter and hold only letters, digits and underscores';
  const prefix = RESERVED_PREFIXES.find((p) => name.toLowerCase().startsWith(p));
  if (prefix) return `must not start with the reserved prefix ${prefix}`;
  if (RESERVED_EVENT_NAMES.has(name)) return `${name} is a name Google Analytics reserves`;
  return null;
}

/** A web stream's measurement id, as GA4 shows it under Admin > Data streams (G-XXXXXXXXXX). */
export const GA4_MEASUREMENT_ID = /^G-[A-Z0-9]{4,20}$/;

/**
 * A Measurement Protocol API secret as GA4 generates it (22 url-safe characters today); a little slack
 * either way, but nothing that would need escaping in a query string.
 */
export const GA4_API_SECRET = /^[A-Za-z0-9_-]{10,64}$/;

/**
 * Named `phone_call` (a custom event) rather than the recommended `generate_lead`: missed and
 * seconds-long calls are sent too, and they are not leads. A client may pick `generate_lead`.
 */
export const DEFAULT_GA4_EVENT_NAME = 'phone_call';
