import { captureLogs, type LogCapture } from '../../../test/support/log-capture';
import { getLogger, requestContext } from './logger';

const log = getLogger('calls');

describe('logger', () => {
  let capture: LogCapture;

  beforeEach(() => {
    capture = captureLogs('debug');
  });
  afterEach(() => {
    capture.restore();
  });

  it('when a line is written while serving a request, then it carries that request id and the module', () => {
    requestContext.run({ requestId: 'req-0001' }, () => log.info('call routed', { attribution: 'lease' }));

    expect(capture.entries()).toEqual([
      expect.objectContaining({ level: 'info', message: 'call routed', module: 'calls', requestId: 'req-0001', attribution: 'lease', timestamp: expect.any(String) }),
    ]);
  });

  it('when a line is written outside any request, then it has no request id', () => {
    log.info('background job');

    expect(capture.entries()[0]).not.toHaveProperty('requestId');
  });

  it('when two requests log concurrently, then each line keeps its own request id', async () => {
    const serve = (id: string) => requestContext.run({ requestId: id }, async () => {
      await Promise.resolve();
      log.debug('handled');
    });

    await Promise.all([serve('req-a'), serve('req-b')]);

    expect(capture.entries().map((e) => e.requestId).sort()).toEqual(['req-a', 'req-b']);
  });

  it('when metadata and message carry phone numbers, IPs and secrets, then none appears in clear', () => {
    requestContext.run({ requestId: 'req-0002' }, () =>
      log.warn('call from +447700900123 rejected for 203.0.113.57', {
        to: '+442079460123',
        forwardTo: '+441134960999',
        ip: '198.51.100.7',
        headers: { authorization: 'Bearer ctk_admin_0123456789abcdef01234567', 'x-twilio-signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' },
        error: new Error('carrier refused 0113 496 0456'),
      }),
    );

    const line = capture.lines.join('\n');
    for (const clear of ['7700900123', '2079460123', '1134960999', '1134960456', '203.0.113.57', '198.51.100.7', 'ctk_admin_0123456789abcdef01234567', 'RSOYDt4T1cUTdK1PDd93']) {
      expect(line).not.toContain(clear);
    }
    expect(capture.entries()[0]).toMatchObject({
      message: 'call from +44******0123 rejected for 203.***.***.***',
      to: '+44******0123',
      forwardTo: '+44******0999',
      ip: '198.***.***.***',
      headers: { authorization: '[redacted]', 'x-twilio-signature': '[redacted]' },
      error: { name: 'Error', message: 'carrier refused 0******0456' },
      requestId: 'req-0002',
    });
  });

  it('when the level is info, then debug lines are dropped', () => {
    capture.restore();
    capture = captureLogs('info');

    log.debug('noisy detail');
    log.info('useful fact');

    expect(capture.entries().map((e) => e.message)).toEqual(['useful fact']);
  });

  it('when the level is silent, then even errors are dropped', () => {
    capture.restore();
    capture = captureLogs('silent');

    log.error('something broke');

    expect(capture.lines).toEqual([]);
  });
});
