import { emptyTwiml, forwardCallTwiml, notInServiceTwiml, voicemailTwiml, whisperTwiml } from './twiml';

const DIAL_ACTION = 'https://calls.example.test/webhooks/twilio/dial';

/** The attributes of the first <tag> element, as a map. */
function attributes(xml: string, tag: string): Record<string, string> {
  const found = new RegExp(`<${tag}\\s([^>]*?)/?>`).exec(xml);
  if (!found) throw new Error(`no <${tag}> with attributes in ${xml}`);
  return Object.fromEntries([...found[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}
const dialAttributes = (xml: string) => attributes(xml, 'Dial');

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

describe('forwardCallTwiml with the pool routing options', () => {
  const STATUS = 'https://calls.example.test/webhooks/twilio/number-status';
  const WHISPER = 'https://calls.example.test/webhooks/twilio/whisper?callSid=CA1';
  const RECORDING = 'https://calls.example.test/webhooks/twilio/recording';

  it('when status callbacks are asked for, then the <Number> reports initiated, ringing, answered and completed', () => {
    const xml = forwardCallTwiml({ forwardTo: '+441134960999', callerId: null, dialActionUrl: DIAL_ACTION, numberStatusCallbackUrl: STATUS });

    expect(attributes(xml, 'Number')).toEqual({ statusCallback: STATUS, statusCallbackMethod: 'POST', statusCallbackEvent: 'initiated ringing answered completed' });
    expect(xml).toMatch(/<Number [^>]*>\+441134960999<\/Number>/);
  });

  it('when the pool whispers, then the <Number url> plays the whisper to the agent before connecting', () => {
    const xml = forwardCallTwiml({ forwardTo: '+441134960999', callerId: null, dialActionUrl: DIAL_ACTION, whisperUrl: WHISPER });

    expect(attributes(xml, 'Number')).toEqual({ url: WHISPER.replace('&', '&amp;'), method: 'POST' });
  });

  it('when the pool records, then the caller hears the announcement first and both legs are recorded from answer', () => {
    const xml = forwardCallTwiml({ forwardTo: '+441134960999', callerId: null, dialActionUrl: DIAL_ACTION, record: { announcement: 'This call is recorded.', statusCallbackUrl: RECORDING } });

    expect(xml).toMatch(/<Response><Say [^>]*>This call is recorded\.<\/Say><Dial /);
    expect(dialAttributes(xml)).toMatchObject({ record: 'record-from-answer-dual', recordingStatusCallback: RECORDING, recordingStatusCallbackMethod: 'POST', recordingStatusCallbackEvent: 'completed' });
  });

  it('when the pool does not record, then there is no announcement and no record attribute', () => {
    const xml = forwardCallTwiml({ forwardTo: '+441134960999', callerId: null, dialActionUrl: DIAL_ACTION, record: null });

    expect(xml).not.toContain('<Say');
    expect(dialAttributes(xml)).not.toHaveProperty('record');
  });
});

describe('voicemailTwiml', () => {
  it('when the fallback is voicemail, then a prompt is followed by <Record> reporting back to us', () => {
    const xml = voicemailTwiml({ actionUrl: `${DIAL_ACTION}?attempt=voicemail`, recordingStatusCallbackUrl: 'https://calls.example.test/webhooks/twilio/recording?kind=voicemail' });

    expect(xml).toMatch(/<Response><Say [^>]*>[^<]*message[^<]*<\/Say><Record [^>]*\/><\/Response>$/);
    expect(attributes(xml, 'Record')).toMatchObject({
      action: `${DIAL_ACTION}?attempt=voicemail`,
      playBeep: 'true',
      maxLength: '120',
      recordingStatusCallback: 'https://calls.example.test/webhooks/twilio/recording?kind=voicemail',
      recordingStatusCallbackEvent: 'completed',
    });
  });
});

describe('whisperTwiml', () => {
  it('when the agent answers, then the whisper is said and nothing else happens', () => {
    expect(whisperTwiml('Call from Google Ads & co')).toMatch(/<Response><Say [^>]*>Call from Google Ads &amp; co<\/Say><\/Response>$/);
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
