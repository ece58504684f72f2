import { automationSignal } from './automated-visitor';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

describe('automationSignal', () => {
  it('when a desktop browser visits from an ordinary network, then it is a person', () => {
    expect(automationSignal({ userAgent: CHROME, asn: 5089 })).toBeNull();
    expect(automationSignal({ userAgent: CHROME, asn: null })).toBeNull();
  });

  it.each([
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot-user-agent'],
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bot-user-agent'],
    ['curl/8.5.0', 'bot-user-agent'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36', 'headless-browser'],
    ['', 'no-user-agent'],
  ])('when the user agent is %j, then it is automated (%s)', (userAgent, signal) => {
    expect(automationSignal({ userAgent, asn: null })).toBe(signal);
  });

  it.each([16509, 14618, 396982, 8075, 14061, 16276, 24940, 63949])('when a browser visits from hosting network AS%d, then it is automated', (asn) => {
    expect(automationSignal({ userAgent: CHROME, asn })).toBe('data-centre-network');
  });
});
