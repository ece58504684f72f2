import { describeSource, UNKNOWN_SOURCE, whisperText } from './whisper';

describe('describeSource', () => {
  it.each([
    [{ source: 'google', medium: 'cpc' }, 'Google Ads'],
    [{ source: 'bing', medium: 'cpc' }, 'Microsoft Ads'],
    [{ source: 'facebook', medium: 'paid_social' }, 'Facebook Ads'],
    [{ source: 'newsletter-co', medium: 'cpc' }, 'newsletter-co ads'],
    [{ source: 'google', medium: 'organic' }, 'Google search'],
    [{ source: 'duckduckgo', medium: 'organic' }, 'DuckDuckGo search'],
    [{ source: 'facebook', medium: 'social' }, 'Facebook'],
    [{ source: 'mail.google.com', medium: 'email' }, 'an email'],
    [{ source: 'partner.example', medium: 'referral' }, 'partner.example'],
    [{ source: '(direct)', medium: '(none)' }, UNKNOWN_SOURCE],
    [{ source: '(not set)', medium: 'cpc' }, UNKNOWN_SOURCE],
    [{ source: null, medium: null }, UNKNOWN_SOURCE],
  ])('when the visit came from %j, then the agent hears "%s"', (facts, label) => {
    expect(describeSource({ ...facts, staticSource: null })).toBe(label);
  });

  it('when the number is printed in one place, then its static source is said as written', () => {
    expect(describeSource({ source: null, medium: null, staticSource: 'Yellow Pages' })).toBe('Yellow Pages');
  });

  it('when nothing is known about the call, then it is "your website"', () => {
    expect(describeSource(null)).toBe('your website');
  });
});

describe('whisperText', () => {
  it('when the template has {source}, then it is filled in', () => {
    expect(whisperText('Call from {source}', 'Google Ads')).toBe('Call from Google Ads');
  });

  it('when the template has no placeholder, then it is said as it is', () => {
    expect(whisperText('Sales line call', 'Google Ads')).toBe('Sales line call');
  });

  it('when the source is very long, then the spoken text stays short', () => {
    expect(whisperText('Call from {source}', 'x'.repeat(500)).length).toBeLessThanOrEqual(120);
  });
});
