import type { CallStore } from './call-store';
import { CallWhisper } from './call-whisper';

type Found = Awaited<ReturnType<CallStore['findSourceOf']>>;
const CALL = `CA${'4'.repeat(32)}`;
const NOW = Date.UTC(2026, 10, 30, 10);

/** A call store whose findSourceOf answers the given results in turn (the last one repeats). */
function storeAnswering(...answers: (Found | Error | 'hang')[]): CallStore {
  let i = 0;
  return {
    findSourceOf: () => {
      const a = answers[Math.min(i++, answers.length - 1)];
      if (a === 'hang') return new Promise(() => undefined);
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    },
  } as unknown as CallStore;
}

describe('CallWhisper', () => {
  it('when the credited visit is in Postgres, then the agent hears its source in the pool template', async () => {
    const whisper = new CallWhisper(storeAnswering({ visitId: 'v1', source: 'google', medium: 'cpc', staticSource: null }));
    whisper.remember(CALL, 'Sales call from {source}', null, NOW);

    expect(await whisper.text(CALL, NOW)).toBe('Sales call from Google Ads');
  });

  it('when the visit has not reached Postgres yet, then pending visits are written and the source read again', async () => {
    const persist = jest.fn(async () => undefined);
    const whisper = new CallWhisper(storeAnswering({ visitId: 'v1', source: null, medium: null, staticSource: null }, { visitId: 'v1', source: 'bing', medium: 'organic', staticSource: null }), persist);

    expect(await whisper.text(CALL, NOW)).toBe('Call from Bing search');
    expect(persist).toHaveBeenCalledTimes(1);
  });

  it('when Postgres is down or hangs, then the whisper still answers at once with what memory knows', async () => {
    const down = new CallWhisper(storeAnswering(new Error('Connection terminated')));
    down.remember(CALL, 'Call from {source}', 'Yellow Pages', NOW);
    const hanging = new CallWhisper(storeAnswering('hang'));
    const started = Date.now();

    expect(await down.text(CALL, NOW)).toBe('Call from Yellow Pages');
    expect(await hanging.text(CALL, NOW)).toBe('Call from your website');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('when the remembered context has expired, then the default template is used', async () => {
    const whisper = new CallWhisper(storeAnswering(null));
    whisper.remember(CALL, 'Custom {source}', null, NOW);

    expect(await whisper.text(CALL, NOW + 60 * 60_000)).toBe('Call from your website');
  });
});
