import { signatureHeader, verifyWebhookSignature, webhookSignature } from './webhook-signature';

const SECRET = 'whsec_test_secret_for_vectors';
const BODY = '{"id":"evt_1","type":"call.started"}';
/** 2026-11-30T10:00:00Z */
const T = 1796032800;
const AT = new Date(T * 1000);

describe('webhook signatures', () => {
  it('when a body is signed, then the signature matches a vector computed once with openssl', () => {
    // echo -n '1796032800.{"id":"evt_1","type":"call.started"}' | openssl dgst -sha256 -hmac 'whsec_test_secret_for_vectors'
    expect(webhookSignature(SECRET, T, BODY)).toBe('e81756d4ae0fe378ae6d3cf576914f070b9677be7f76364908ebc187b6fb8c43');
    expect(signatureHeader(SECRET, BODY, new Date(T * 1000 + 999))).toBe(`t=${T},v1=e81756d4ae0fe378ae6d3cf576914f070b9677be7f76364908ebc187b6fb8c43`);
  });

  it('when the header signs exactly this body within the tolerance, then it verifies', () => {
    const header = signatureHeader(SECRET, BODY, AT);

    expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, new Date(AT.getTime() + 299_000))).toBe(true);
  });

  it('when the body was altered, the secret is wrong or the timestamp is older than the tolerance, then it does not verify', () => {
    const header = signatureHeader(SECRET, BODY, AT);

    expect(verifyWebhookSignature(SECRET, header, BODY.replace('started', 'completed'), 300, AT)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, `${BODY} `, 300, AT)).toBe(false);
    expect(verifyWebhookSignature('whsec_another_secret', header, BODY, 300, AT)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, new Date(AT.getTime() + 301_000))).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, new Date(AT.getTime() - 301_000))).toBe(false);
  });

  it('when the timestamp in the header is changed to look fresh, then the signature no longer matches', () => {
    const old = signatureHeader(SECRET, BODY, AT);
    const replayed = old.replace(`t=${T}`, `t=${T + 3600}`);

    expect(verifyWebhookSignature(SECRET, replayed, BODY, 300, new Date((T + 3600) * 1000))).toBe(false);
  });

  it('when the header is missing, malformed or has no v1, then it does not verify (and does not throw)', () => {
    for (const header of [undefined, '', 'garbage', `t=${T}`, 'v1=abc', `t=${T},v1=zz`, `t=x,v1=${'0'.repeat(64)}`, `t=${T},v1=${'0'.repeat(63)}`]) {
      expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT)).toBe(false);
    }
  });

  it('when the header carries several v1 signatures, then one that matches is enough', () => {
    const header = `t=${T},v1=${'0'.repeat(64)},v1=${webhookSignature(SECRET, T, BODY)}`;

    expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT)).toBe(true);
  });
});
