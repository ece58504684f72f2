// The admin API (/v1) with the signed-in key. Every figure on the page comes through here.

const STORAGE_KEY = 'callTracking.dashboard.apiKey';

/**
 * The key lives in sessionStorage, not localStorage: it is gone when the tab closes (no key left on a
 * shared computer), and other tabs and later visits do not pick it up. Either store is readable by any
 * script on this origin, which is why the page's CSP admits only this origin's own script files.
 * Not a cookie either: the browser would then attach it to requests other sites trigger (CSRF).
 */
export const session = {
  key: () => sessionStorage.getItem(STORAGE_KEY),
  keep: (key) => sessionStorage.setItem(STORAGE_KEY, key),
  clear: () => sessionStorage.removeItem(STORAGE_KEY),
};

/** An answer other than 2xx, with the problem+json document's detail when there is one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && typeof problem.detail === 'string' ? problem.detail : `The service answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }
}

let onUnauthorized = () => undefined;
/** Called when the service refuses the key (wrong, revoked): the page goes back to the login form. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

async function send(key, path, { method = 'GET', body, accept = 'application/json' } = {}) {
  const headers = { Authorization: `Bearer ${key}`, Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // credentials: 'omit': the key is the only credential; no cookie rides along.
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
}

async function problemOf(res) {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/** JSON from /v1 with the session's key; throws ApiError. `raw: true` gives the Response (e.g. for a CSV). */
export async function api(path, options = {}) {
  const key = session.key();
  if (!key) {
    onUnauthorized('Please sign in.');
    throw new ApiError(401, { detail: 'Not signed in.' });
  }
  const res = await send(key, path, options);
  if (res.status === 401) {
    onUnauthorized('The service no longer accepts this key (it may have been revoked). Please sign in again.');
    throw new ApiError(401, await problemOf(res));
  }
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  return options.raw ? res : res.status === 204 ? null : res.json();
}

/** Checks a typed key against the API before keeping it; answers the client list it can see. */
export async function signIn(key) {
  const res = await send(key, '/v1/clients');
  if (!res.ok) throw new ApiError(res.status, await problemOf(res));
  session.keep(key);
  return (await res.json()).data;
}

/** The route itself does not exist on this server (an older version): not the same as "no such pool". */
export const isMissingEndpoint = (err) => err instanceof ApiError && err.status === 404 && typeof err.problem?.detail === 'string' && err.problem.detail.startsWith('No route for');

export const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
