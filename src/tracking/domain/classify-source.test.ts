import { classifyVisitSource, parseClickIds, type VisitSource } from './classify-source';

const LANDING = 'https://www.example.com/pricing';

function classify(url: string, referrer?: string | null, siteDomains?: string[]): VisitSource {
  return classifyVisitSource({ url, referrer, siteDomains });
}

function sourceMedium(url: string, referrer?: string | null, siteDomains?: string[]): string {
  const { source, medium } = classify(url, referrer, siteDomains);
  return `${source} / ${medium}`;
}

describe('classifyVisitSource: UTM tags', () => {
  it('when all five tags are present, then they are used with source and medium lowercased', () => {
    const url = `${LANDING}?utm_source=Newsletter&utm_medium=EMAIL&utm_campaign=Spring+Sale&utm_term=Boiler%20Repair&utm_content=Hero-CTA`;

    const visit = classify(url, 'https://www.google.com/');

    expect(visit).toEqual({
      source: 'newsletter',
      medium: 'email',
      campaign: 'Spring Sale',
      term: 'Boiler Repair',
      content: 'Hero-CTA',
      landingPage: url,
      referrer: 'https://www.google.com/',
      clickIds: {},
    });
  });

  it.each([
    ['parameter names in any case', '?UTM_SOURCE=bing&Utm_Medium=cpc', 'bing / cpc'],
    ['values padded with spaces', '?utm_source=%20google%20&utm_medium=+cpc+', 'google / cpc'],
    ['utm_source without utm_medium', '?utm_source=newsletter', 'newsletter / (not set)'],
    ['utm_medium without utm_source', '?utm_medium=email', '(not set) / email'],
    ['an empty utm_source next to a utm_medium', '?utm_source=&utm_medium=email', '(not set) / email'],
    ['a blank tag followed by a filled one', '?utm_source=%20&utm_source=bing&utm_medium=cpc', 'bing / cpc'],
    ['a duplicated tag', '?utm_source=first&utm_source=second&utm_medium=cpc', 'first / cpc'],
    ['a medium we have no rule for', '?utm_source=partner&utm_medium=PPC-Display', 'partner / ppc-display'],
  ])('when the URL has %s, then the tags decide (%s)', (_case, query, expected) => {
    expect(sourceMedium(`${LANDING}${query}`, 'https://www.bing.com/')).toBe(expected);
  });

  it('when only utm_campaign, utm_term or utm_content are present, then they are ignored and the referrer decides', () => {
    const visit = classify(`${LANDING}?utm_campaign=spring&utm_term=boilers&utm_content=hero`, 'https://duckduckgo.com/');

    expect(visit).toMatchObject({ source: 'duckduckgo', medium: 'organic', campaign: null, term: null, content: null });
  });

  it('when tags are only in the fragment, then they are ignored like Google Analytics does', () => {
    expect(sourceMedium(`${LANDING}#utm_source=newsletter&utm_medium=email`)).toBe('(direct) / (none)');
  });

  it('when a tag is longer than 256 characters, then it is cut to 256', () => {
    const long = 'C'.repeat(300);

    const visit = classify(`${LANDING}?utm_source=${'S'.repeat(300)}&utm_medium=cpc&utm_campaign=${long}`);

    expect(visit.source).toBe('s'.repeat(256));
    expect(visit.campaign).toBe('C'.repeat(256));
  });

  it('when tags and a click id are both present, then the tags decide and the click id is still captured', () => {
    const visit = classify(`${LANDING}?gclid=Cj0KCQabc_-123&utm_source=google&utm_medium=paid-search&utm_campaign=brand`);

    expect(visit).toMatchObject({ source: 'google', medium: 'paid-search', campaign: 'brand', clickIds: { gclid: 'Cj0KCQabc_-123' } });
  });

  it('when tags are present and the referrer is the site itself, then the tags still decide', () => {
    expect(sourceMedium(`${LANDING}?utm_source=flyer&utm_medium=print`, 'https://www.example.com/')).toBe('flyer / print');
  });
});

describe('classifyVisitSource: click ids', () => {
  it.each([
    ['gclid', 'google / cpc'],
    ['gbraid', 'google / cpc'],
    ['wbraid', 'google / cpc'],
    ['msclkid', 'bing / cpc'],
    ['fbclid', 'facebook / social'],
  ])('when the URL has a %s and no tags, then the visit is %s', (name, expected) => {
    const visit = classify(`${LANDING}?${name}=abc123`);

    expect(`${visit.source} / ${visit.medium}`).toBe(expected);
    expect(visit.clickIds).toEqual({ [name]: 'abc123' });
    expect(visit).toMatchObject({ campaign: null, term: null, content: null });
  });

  it.each([
    ['gclid and fbclid', '?fbclid=f1&gclid=g1', 'google / cpc'],
    ['msclkid and fbclid', '?fbclid=f1&msclkid=m1', 'bing / cpc'],
    ['gclid and msclkid', '?msclkid=m1&gclid=g1', 'google / cpc'],
    ['wbraid and msclkid', '?msclkid=m1&wbraid=w1', 'google / cpc'],
  ])('when the URL has both %s, then the paid Google id wins over the others (%s)', (_case, query, expected) => {
    expect(sourceMedium(`${LANDING}${query}`)).toBe(expected);
  });

  it('when several click ids are present, then all of them are captured', () => {
    const visit = classify(`${LANDING}?gclid=g1&gbraid=g2&wbraid=w3&msclkid=m4&fbclid=f5`);

    expect(visit.clickIds).toEqual({ gclid: 'g1', gbraid: 'g2', wbraid: 'w3', msclkid: 'm4', fbclid: 'f5' });
  });

  it('when a click id comes with a different referrer, then the click id decides', () => {
    expect(sourceMedium(`${LANDING}?gclid=g1`, 'https://www.bing.com/')).toBe('google / cpc');
    expect(sourceMedium(`${LANDING}?fbclid=f1`, 'https://l.facebook.com/')).toBe('facebook / social');
  });

  it('when a click id name is in upper case, then it is still recognised', () => {
    expect(classify(`${LANDING}?GCLID=g1`).clickIds).toEqual({ gclid: 'g1' });
  });

  it('when a click id is empty, then it is ignored and the referrer decides', () => {
    const visit = classify(`${LANDING}?gclid=&msclkid=%20`, 'https://www.google.co.uk/');

    expect(visit).toMatchObject({ source: 'google', medium: 'organic', clickIds: {} });
  });

  it('when a click id is longer than 512 characters, then it is dropped rather than truncated', () => {
    const visit = classify(`${LANDING}?gclid=${'x'.repeat(513)}&fbclid=${'y'.repeat(512)}`);

    expect(visit.clickIds).toEqual({ fbclid: 'y'.repeat(512) });
    expect(`${visit.source} / ${visit.medium}`).toBe('facebook / social');
  });
});

describe('classifyVisitSource: referrers', () => {
  it.each([
    ['https://www.google.com/', 'google / organic'],
    ['https://www.google.co.uk/', 'google / organic'],
    ['https://www.google.com.au/search?q=plumber', 'google / organic'],
    ['https://google.de/', 'google / organic'],
    ['https://WWW.GOOGLE.FR./', 'google / organic'],
    ['https://www.bing.com/', 'bing / organic'],
    ['https://cn.bing.com/', 'bing / organic'],
    ['https://search.yahoo.com/', 'yahoo / organic'],
    ['https://uk.search.yahoo.com/', 'yahoo / organic'],
    ['https://search.yahoo.co.jp/', 'yahoo / organic'],
    ['https://duckduckgo.com/', 'duckduckgo / organic'],
    ['https://html.duckduckgo.com/', 'duckduckgo / organic'],
    ['https://www.baidu.com/', 'baidu / organic'],
    ['https://m.baidu.com/', 'baidu / organic'],
    ['https://yandex.ru/', 'yandex / organic'],
    ['https://yandex.com.tr/', 'yandex / organic'],
    ['https://ya.ru/', 'yandex / organic'],
    ['https://www.ecosia.org/', 'ecosia / organic'],
    ['https://search.brave.com/', 'brave / organic'],
    ['https://www.ask.com/', 'ask / organic'],
    ['https://search.naver.com/', 'naver / organic'],
    ['https://www.startpage.com/', 'startpage / organic'],
    ['https://www.qwant.com/', 'qwant / organic'],
    ['https://search.seznam.cz/', 'seznam / organic'],
    ['https://search.aol.com/', 'aol / organic'],
    ['android-app://com.google.android.googlequicksearchbox/', 'google / organic'],

    ['https://www.facebook.com/', 'facebook / social'],
    ['https://m.facebook.com/', 'facebook / social'],
    ['https://l.facebook.com/l.php?u=x', 'facebook / social'],
    ['https://lm.facebook.com/', 'facebook / social'],
    ['https://www.instagram.com/', 'instagram / social'],
    ['https://l.instagram.com/', 'instagram / social'],
    ['https://t.co/abc', 'twitter / social'],
    ['https://twitter.com/', 'twitter / social'],
    ['https://x.com/', 'twitter / social'],
    ['https://www.linkedin.com/', 'linkedin / social'],
    ['https://lnkd.in/abc', 'linkedin / social'],
    ['https://www.pinterest.com/', 'pinterest / social'],
    ['https://uk.pinterest.com/', 'pinterest / social'],
    ['https://www.pinterest.co.uk/', 'pinterest / social'],
    ['https://www.reddit.com/', 'reddit / social'],
    ['https://old.reddit.com/', 'reddit / social'],
    ['https://www.youtube.com/', 'youtube / social'],
    ['https://m.youtube.com/', 'youtube / social'],
    ['https://www.tiktok.com/', 'tiktok / social'],
    ['https://www.threads.net/', 'threads / social'],
    ['https://nextdoor.com/', 'nextdoor / social'],
    ['android-app://com.facebook.katana/', 'facebook / social'],
    ['android-app://com.linkedin.android', 'linkedin / social'],

    ['https://mail.google.com/', 'gmail / email'],
    ['https://outlook.live.com/', 'outlook / email'],
    ['https://outlook.office.com/', 'outlook / email'],
    ['https://outlook.office365.com/', 'outlook / email'],
    ['https://mail.yahoo.com/', 'yahoo / email'],
    ['https://uk.mail.yahoo.com/', 'yahoo / email'],
    ['https://mail.aol.com/', 'aol / email'],
    ['https://mail.proton.me/', 'proton / email'],
    ['https://mail.yandex.ru/', 'yandex / email'],
    ['android-app://com.google.android.gm/', 'gmail / email'],

    ['https://www.example.org/blog/post', 'example.org / referral'],
    ['https://blog.example.org/', 'blog.example.org / referral'],
    ['http://example.net:8080/x', 'example.net / referral'],
    ['https://accounts.google.com/', 'accounts.google.com / referral'],
    ['https://docs.google.com/document/d/1', 'docs.google.com / referral'],
    ['https://news.yahoo.com/', 'news.yahoo.com / referral'],
    ['https://notfacebook.com/', 'notfacebook.com / referral'],
    ['https://facebook.com.example.org/', 'facebook.com.example.org / referral'],
    ['https://google.example.org/', 'google.example.org / referral'],
    ['http://192.0.2.10/', '192.0.2.10 / referral'],
    ['http://[2001:db8::1]/', '[2001:db8::1] / referral'],
    ['android-app://com.Example.Reader/', 'com.example.reader / referral'],
  ])('when the referrer is %s, then the visit is %s', (referrer, expected) => {
    expect(sourceMedium(LANDING, referrer)).toBe(expected);
  });

  it('when the referrer classifies, then campaign, term and content are null and the referrer is kept', () => {
    const visit = classify(LANDING, 'https://www.google.com/search?q=plumber');

    expect(visit).toMatchObject({ campaign: null, term: null, content: null, referrer: 'https://www.google.com/search?q=plumber' });
  });
});

describe('classifyVisitSource: navigation within the site', () => {
  it.each<[string, string, string[] | undefined]>([
    ['one of siteDomains', 'https://example.com/about', ['example.com']],
    ['a subdomain of siteDomains', 'https://shop.example.com/', ['example.com']],
    ['www of siteDomains', 'https://www.example.com/', ['example.com']],
    ['siteDomains written with www', 'https://example.com/', ['www.example.com']],
    ['siteDomains written as a URL', 'https://blog.example.com/', ['https://Example.com/']],
    ['siteDomains written with a leading dot', 'https://blog.example.com/', ['.example.com']],
    ['a second site domain', 'https://example-booking.net/', ['example.com', 'example-booking.net']],
    ['the landing page host, with no siteDomains', 'https://www.example.com/services', undefined],
    ['a subdomain of the landing host, with no siteDomains', 'https://blog.example.com/', []],
  ])('when the referrer is on %s, then the visit is direct', (_case, referrer, siteDomains) => {
    expect(sourceMedium(LANDING, referrer, siteDomains)).toBe('(direct) / (none)');
  });

  it('when the referrer only looks like a site domain, then it is a referral', () => {
    expect(sourceMedium(LANDING, 'https://notexample.com/', ['example.com'])).toBe('notexample.com / referral');
    expect(sourceMedium(LANDING, 'https://example.com.evil.test/', ['example.com'])).toBe('example.com.evil.test / referral');
  });

  it('when the referrer is internal, then it is still recorded as given', () => {
    expect(classify(LANDING, 'https://www.example.com/services').referrer).toBe('https://www.example.com/services');
  });
});

describe('classifyVisitSource: direct visits', () => {
  it.each<[string, string | null | undefined]>([
    ['absent', undefined],
    ['null', null],
    ['empty', ''],
    ['blank', '   '],
    ['not a URL', 'not a url'],
    ['a file URL', 'file:///home/user/page.html'],
    ['about:blank', 'about:blank'],
    ['a chrome extension', 'chrome-extension://abcdef/popup.html'],
  ])('when the referrer is %s, then the visit is (direct) / (none)', (_case, referrer) => {
    const visit = classify(LANDING, referrer);

    expect(visit).toMatchObject({ source: '(direct)', medium: '(none)', campaign: null, term: null, content: null, clickIds: {} });
  });

  it('when the referrer is blank, then it is recorded as null', () => {
    expect(classify(LANDING, '  ').referrer).toBeNull();
  });
});

describe('classifyVisitSource: URLs that do not parse', () => {
  it.each(['not a url', '', '/pricing?utm_source=x&utm_medium=y&gclid=g', 'example.com/?gclid=g', 'http://exa mple.com/?gclid=g'])(
    'when the landing URL is %j, then it does not throw and the visit is direct with no click ids',
    (url) => {
      const visit = classify(url);

      expect(visit).toEqual({
        source: '(direct)',
        medium: '(none)',
        campaign: null,
        term: null,
        content: null,
        landingPage: url,
        referrer: null,
        clickIds: {},
      });
    },
  );

  it('when the landing URL does not parse but the referrer does, then the referrer decides', () => {
    expect(sourceMedium('::not a url::', 'https://www.bing.com/')).toBe('bing / organic');
    expect(sourceMedium('::not a url::', 'https://www.example.org/')).toBe('example.org / referral');
  });

  it('when the landing URL has surrounding spaces, then landingPage is trimmed', () => {
    expect(classify(`  ${LANDING}  `).landingPage).toBe(LANDING);
  });
});

describe('classifyVisitSource: long values', () => {
  it('when the landing URL is longer than 2048 characters, then landingPage keeps its first 2048', () => {
    const url = `${LANDING}?q=${'a'.repeat(3000)}`;

    expect(classify(url).landingPage).toBe(url.slice(0, 2048));
  });

  it('when the referrer is longer than 2048 characters, then it is cut and still classified', () => {
    const visit = classify(LANDING, `https://www.google.com/search?q=${'a'.repeat(3000)}`);

    expect(visit.referrer).toHaveLength(2048);
    expect(`${visit.source} / ${visit.medium}`).toBe('google / organic');
  });

  it('when a cut would split an emoji, then the half emoji is dropped', () => {
    const prefix = `${LANDING}?q=`;
    const url = `${prefix}${'a'.repeat(2047 - prefix.length)}😀tail`;

    const { landingPage } = classify(url);

    expect(landingPage).toBe(url.slice(0, 2047));
  });
});

describe('parseClickIds', () => {
  it.each<[string, ReturnType<typeof parseClickIds>]>([
    [`${LANDING}?gclid=g1&utm_source=x`, { gclid: 'g1' }],
    [`${LANDING}?GBraid=b1&wbraid=w1`, { gbraid: 'b1', wbraid: 'w1' }],
    [`${LANDING}?msclkid=m1&fbclid=f1&other=1`, { msclkid: 'm1', fbclid: 'f1' }],
    [`  ${LANDING}?gclid=%20g1%20  `, { gclid: 'g1' }],
    [`${LANDING}?ttclid=t1`, {}],
    [LANDING, {}],
    ['not a url?gclid=g1', {}],
  ])('when given %j, then returns %j', (url, expected) => {
    expect(parseClickIds(url)).toEqual(expected);
  });
});
