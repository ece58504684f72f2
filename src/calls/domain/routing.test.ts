import { DEFAULT_ROUTING, nextStepAfterDial, type CallRouting } from './routing';

const withFallback = (fallbackTo: string | null): CallRouting => ({ ...DEFAULT_ROUTING, fallbackTo });

describe('nextStepAfterDial', () => {
  it.each(['busy', 'no-answer', 'failed'])('when the first forward ends %s and the pool has a fallback number, then that number is dialled', (status) => {
    expect(nextStepAfterDial(status, 'primary', withFallback('+441134960998'))).toEqual({ kind: 'dial-fallback', to: '+441134960998' });
  });

  it('when the first forward is not answered and the fallback is voicemail, then the caller is asked to leave a message', () => {
    expect(nextStepAfterDial('no-answer', 'primary', withFallback('voicemail'))).toEqual({ kind: 'voicemail' });
  });

  it.each(['completed', 'answered', 'canceled', undefined])('when the first forward ends %s, then the call ends even with a fallback', (status) => {
    expect(nextStepAfterDial(status, 'primary', withFallback('voicemail'))).toEqual({ kind: 'hangup' });
  });

  it('when the fallback number is not answered either, then the call ends: the fallback is tried once', () => {
    expect(nextStepAfterDial('busy', 'fallback', withFallback('+441134960998'))).toEqual({ kind: 'hangup' });
  });

  it('when the pool has no fallback, or its routing is unknown, then the call ends', () => {
    expect(nextStepAfterDial('busy', 'primary', withFallback(null))).toEqual({ kind: 'hangup' });
    expect(nextStepAfterDial('busy', 'primary', null)).toEqual({ kind: 'hangup' });
  });
});
