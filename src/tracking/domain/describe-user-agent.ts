import Bowser from 'bowser';

export interface UserAgentDetails {
  /** 'Chrome 126', 'Safari 17.5'. */
  browser: string | null;
  /** 'Windows 10', 'iOS 17.5', 'macOS'. */
  os: string | null;
  /** 'desktop', 'mobile', 'tablet', 'tv'. */
  deviceType: string | null;
}

const NOTHING: UserAgentDetails = { browser: null, os: null, deviceType: null };

/** Browser, operating system and device class from a User-Agent header; nulls for what it does not say. */
export function describeUserAgent(userAgent: string | null): UserAgentDetails {
  if (!userAgent?.trim()) return NOTHING;
  try {
    const { browser, os, platform } = Bowser.parse(userAgent);
    return {
      browser: join(browser.name, majorMinor(browser.version)),
      os: join(os.name, os.versionName ?? os.version),
      deviceType: platform.type ?? null,
    };
  } catch {
    return NOTHING;
  }
}

/** '126.0.0.0' -> '126', '17.5' -> '17.5'. */
function majorMinor(version: string | undefined): string | undefined {
  if (!version) return undefined;
  const [major, minor] = version.split('.');
  return minor && minor !== '0' ? `${major}.${minor}` : major;
}

function join(name: string | undefined, version: string | undefined): string | null {
  if (!name) return null;
  return version ? `${name} ${version}` : name;
}
