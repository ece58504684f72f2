import { isbot } from 'isbot';
import { DATA_CENTRE_ASNS } from './data-centre-asns';

export type AutomationSignal = 'no-user-agent' | 'bot-user-agent' | 'headless-browser' | 'data-centre-network';

// Headless and automation tools that do not always call themselves bots (isbot knows most of these too).
const HEADLESS = /HeadlessChrome|PhantomJS|SlimerJS|Puppeteer|Playwright|Selenium|Electron\/|Chrome-Lighthouse|Cypress/i;

/**
 * Why a visit looks automated, or null when it looks like a person. Automated visitors are shown the
 * site's own number: they get no lease (a crawler would otherwise hold a number for nothing) and no
 * visit is stored. A browser always sends a user agent, so a request without one is a script.
 * The script itself does not register when navigator.webdriver is set.
 */
export function automationSignal(visitor: { userAgent: string | null; asn: number | null }): AutomationSignal | null {
  const ua = visitor.userAgent?.trim() ?? '';
  if (!ua) return 'no-user-agent';
  if (HEADLESS.test(ua)) return 'headless-browser';
  if (isbot(ua)) return 'bot-user-agent';
  if (visitor.asn !== null && DATA_CENTRE_ASNS.has(visitor.asn)) return 'data-centre-network';
  return null;
}
