import type { CarrierNumber, NumberWebhooks } from '../../telephony/telephony-provider';
import { driftedWebhooks, planReconciliation, type HeldNumber } from './reconcile-numbers';

const EXPECTED: NumberWebhooks = {
  voiceUrl: 'https://calls.example.test/webhooks/twilio/voice',
  voiceMethod: 'POST',
  voiceFallbackUrl: 'https://calls.example.test/webhooks/twilio/fallback',
  voiceFallbackMethod: 'POST',
  statusCallback: 'https://calls.example.test/webhooks/twilio/status',
  statusCallbackMethod: 'POST',
};
const sid = (n: number) => `PN${String(n).padStart(32, '0')}`;
const carrier = (n: number, e164: string, webhooks: Partial<NumberWebhooks> = {}): CarrierNumber => ({ providerSid: sid(n), e164, friendlyName: null, webhooks: { ...EXPECTED, ...webhooks } });
const ours = (id: string, e164: string, providerSid: string | null): HeldNumber => ({ id, e164, providerSid });

describe('planReconciliation', () => {
  it('when both sides agree, then nothing is to be done', () => {
    const plan = planReconciliation([carrier(1, '+442079460001')], [ours('n1', '+442079460001', sid(1))], EXPECTED);

    expect(plan).toEqual({ matched: 1, repairs: [], onlyAtCarrier: [], onlyInDatabase: [] });
  });

  it('when a number points its voice URL elsewhere, then it is repaired and the drifted field named', () => {
    const plan = planReconciliation([carrier(1, '+442079460001', { voiceUrl: 'https://old.example.test/voice' })], [ours('n1', '+442079460001', sid(1))], EXPECTED);

    expect(plan.repairs).toEqual([{ numberId: 'n1', providerSid: sid(1), drifted: ['voiceUrl'] }]);
  });

  it('when only the HTTP method differs in case, then it has not drifted', () => {
    expect(driftedWebhooks({ ...EXPECTED, voiceMethod: 'post' }, EXPECTED)).toEqual([]);
    expect(driftedWebhooks({ ...EXPECTED, voiceMethod: 'GET', statusCallback: null }, EXPECTED)).toEqual(['voiceMethod', 'statusCallback']);
  });

  it('when numbers exist on one side only, then each is reported on its side', () => {
    const plan = planReconciliation([carrier(1, '+442079460001'), carrier(2, '+442079460002')], [ours('n1', '+442079460001', sid(1)), ours('n3', '+442079460003', sid(3))], EXPECTED);

    expect(plan.matched).toBe(1);
    expect(plan.onlyAtCarrier).toEqual([{ providerSid: sid(2), e164: '+442079460002' }]);
    expect(plan.onlyInDatabase).toEqual([{ numberId: 'n3', e164: '+442079460003' }]);
  });

  it('when our record has no carrier SID, then it is matched by number', () => {
    const plan = planReconciliation([carrier(7, '+442079460007')], [ours('n7', '+442079460007', null)], EXPECTED);

    expect(plan).toMatchObject({ matched: 1, onlyAtCarrier: [], onlyInDatabase: [] });
  });
});
