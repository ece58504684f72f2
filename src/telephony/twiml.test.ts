import { emptyTwiml, forwardCallTwiml, notInServiceTwiml } from './twiml';

const DIAL_ACTION = 'https://calls.example.test/webhooks/twilio/dial';

/** The attributes of the one <Dial> element, as a map. */
function dialAttributes(xml: string): Record<string, string> {
  const tag = /<Dial\s([^>]*)>/.exec(xml);
  if (!tag) throw new Error(`no <Dial> in ${xml}`);
  return Object.fromEntries([...tag[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

describe('forwardCallTwiml', () => {
  it('when forwarding a caller with a real number, then it dials the client line with the caller id, action URL and answerOnBridge', () => {
    const xml = forwardCallTwiml({ forwardTo: '+441134960999', callerId: '+447700900123', dialActionUrl: DIAL_ACTION });

    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Dial [^>]*><Number>\+441134960999<\/Number><\/Dial><\/Response>$/);
    expect(dialAttributes(xml)).toEqual({ action: DIAL_ACTION, method: 'POST', answerOnBridge: 'true', timeout: '30', callerId: '+447700900123' });
  });

  it.each([
    ['withheld', 'anonymous'],
    ['a national number', '07700900123'],
    ['an empty string', ''],
    ['missing', null],
  ])('when the caller number is %s, then no callerId is set and Twilio shows its default', (_label, callerId) => {
    const xml = forwardCallTwiml({ forwardTo: '+441134960999', callerId, dialActionUrl: DIAL_ACTION });

    expect(dialAttributes(xml)).not.toHaveProperty('callerId');
    expect(xml).toContain('<Number>+441134960999</Number>');
  });

  it('when a timeout is given, then the Dial rings that long', () => {
    const xml = forwardCallTwiml({ forwardTo: '+12125550142', callerId: null, dialActionUrl: DIAL_ACTION, timeoutSeconds: 20 });

    expect(dialAttributes(xml).timeout).toBe('20');
  });

  it('when the action URL has a query string, then it is XML-escaped', () => {
    const xml = forwardCallTwiml({ forwardTo: '+441134960999', callerId: null, dialActionUrl: `${DIAL_ACTION}?a=1&b=2` });

    expect(dialAttributes(xml).action).toBe(`${DIAL_ACTION}?a=1&amp;b=2`);
  });
});

describe('notInServiceTwiml', () => {
  it('when a number has no route, then the caller hears an apology and the call hangs up', () => {
    const xml = notInServiceTwiml();

    expect(xml).toMatch(/<Response><Say [^>]*>[^<]*not in service[^<]*<\/Say><Hangup\/><\/Response>$/);
    expect(xml).not.toContain('<Dial');
  });
});

describe('emptyTwiml', () => {
  it('when the dial has ended, then the answer is an empty Response', () => {
    expect(emptyTwiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});
