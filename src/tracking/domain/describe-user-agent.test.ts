import { describeUserAgent } from './describe-user-agent';

describe('describeUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      { browser: 'Chrome 126', os: 'Windows 10', deviceType: 'desktop' },
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      { browser: 'Safari 17.5', os: 'iOS 17.5', deviceType: 'mobile' },
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
      { browser: 'Chrome 126', os: 'Android 14', deviceType: 'mobile' },
    ],
  ])('when the user agent is %s, then browser, OS and device are named', (ua, expected) => {
    expect(describeUserAgent(ua)).toEqual(expected);
  });

  it('when there is no user agent, then everything is null', () => {
    expect(describeUserAgent(null)).toEqual({ browser: null, os: null, deviceType: null });
    expect(describeUserAgent('  ')).toEqual({ browser: null, os: null, deviceType: null });
  });
});
