export interface GaIds {
  gaClientId?: string;
  gaSessionId?: string;
}

/**
 * The Google Analytics ids in a cookie header, so a call can be sent to GA as part of the visitor's
 * session: `_ga` = 'GA1.1.<client id>' (the client id is 'random.timestamp'), `_ga_<measurement id>` =
 * 'GS1.1.<session id>.…' or, in the newer format, 'GS2.1.s<session id>$o…'. The first property's
 * session wins when the page has several.
 */
export function readGaIds(cookieHeader: string): GaIds {
  const ids: GaIds = {};
  for (const part of cookieHeader.split(/;\s*/)) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (name === '_ga') {
      const client = /^GA\d+\.\d+\.(\d{1,20}\.\d{1,20})$/.exec(value);
      if (client) ids.gaClientId = client[1];
    } else if (name.indexOf('_ga_') === 0 && !ids.gaSessionId) {
      const session = /^GS\d+\.\d+\.s?(\d{1,20})/.exec(value);
      if (session) ids.gaSessionId = session[1];
    }
  }
  return ids;
}
