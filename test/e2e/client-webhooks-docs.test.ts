import { readFileSync } from 'node:fs';
import path from 'node:path';
import { signatureHeader } from '../../src/integrations/webhook-signature';

/**
 * docs/webhooks.md tells receivers how to verify our signature with node:crypto. The block is read
 * from the document and run here against signatures the service makes, so the docs cannot drift.
 */
type Verify = (secret: string, header: string | undefined, rawBody: string | Buffer, toleranceSeconds?: number) => boolean;

function documentedVerifier(): Verify {
  const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'webhooks.md'), 'utf8');
  const match = /<!-- verification-snippet[^>]*-->\s*```js\n([\s\S]*?)```/.exec(doc);
  if (!match) throw new Error('docs/webhooks.md has no verification snippet');
  return new Function('require', `${match[1]}\nreturn verifyCalltrackingSignature;`)(require) as Verify;
}

describe('the verification snippet in docs/webhooks.md', () => {
  const verify = documentedVerifier();
  const secret = 'whsec_docs_snippet_secret';
  const body = JSON.stringify({ id: 'evt_7', type: 'call.completed', createdAt: '2026-11-30T10:00:00.000Z', data: { call: { from: '+442079460177' } } });

  it('when given a request the service signed just now, then it accepts it, as a string or as the raw Buffer', () => {
    const header = signatureHeader(secret, body, new Date());

    expect(verify(secret, header, body)).toBe(true);
    expect(verify(secret, header, Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('when the body, the secret or the timestamp is wrong, or the header is missing, then it refuses', () => {
    const header = signatureHeader(secret, body, new Date());
    const stale = signatureHeader(secret, body, new Date(Date.now() - 10 * 60_000));

    expect(verify(secret, header, body.replace('evt_7', 'evt_8'))).toBe(false);
    expect(verify('whsec_someone_else', header, body)).toBe(false);
    expect(verify(secret, stale, body)).toBe(false);
    expect(verify(secret, undefined, body)).toBe(false);
    expect(verify(secret, 'v1=abc', body)).toBe(false);
  });
});
