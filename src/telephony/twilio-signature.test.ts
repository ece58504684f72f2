import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import twilio from 'twilio';
import request from 'supertest';
import { errorHandler } from '../shared/http/error-handler';
import { verifyTwilioSignature } from './twilio-signature';

/** twilio-node's own known-good vector: token, the URL Twilio called, the POST fields, the signature. */
const vector = JSON.parse(readFileSync(path.join(__dirname, '../../test/fixtures/twilio/signature-vector.json'), 'utf8')) as {
  authToken: string;
  url: string;
  params: Record<string, string>;
  expectedSignature: string;
};

const PUBLIC_BASE_URL = 'https://mycompany.com';
const PATH = '/myapp.php?foo=1&bar=2';

/** The middleware as the webhook routes mount it: form parser, then the check, then a handler. */
function appVerifying(authToken = vector.authToken, publicBaseUrl = PUBLIC_BASE_URL) {
  const app = express();
  app.post('/myapp.php', express.urlencoded({ extended: false }), verifyTwilioSignature({ authToken, publicBaseUrl }), (_req, res) => {
    res.status(204).end();
  });
  app.use(errorHandler);
  return app;
}

const post = (app: express.Express, params: Record<string, string>, signature?: string, url = PATH) => {
  const req = request(app).post(url).type('form');
  if (signature !== undefined) req.set('X-Twilio-Signature', signature);
  return req.send(params);
};

describe('verifyTwilioSignature', () => {
  it('when the fixture is the URL Twilio called, then the public base URL plus the original URL rebuild it', () => {
    expect(`${PUBLIC_BASE_URL}${PATH}`).toBe(vector.url);
  });

  it("when a request carries twilio-node's known-good signature, then it is accepted", async () => {
    await post(appVerifying(), vector.params, vector.expectedSignature).expect(204);
  });

  it('when any signed field was changed, then the request is refused with 403', async () => {
    const res = await post(appVerifying(), { ...vector.params, Digits: '9999' }, vector.expectedSignature);

    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/does not match/);
  });

  it('when a field was added to what Twilio signed, then the request is refused', async () => {
    await post(appVerifying(), { ...vector.params, Extra: 'x' }, vector.expectedSignature).expect(403);
  });

  it('when the query string differs from the one Twilio called, then the request is refused', async () => {
    await post(appVerifying(), vector.params, vector.expectedSignature, '/myapp.php?foo=1&bar=3').expect(403);
  });

  it('when the service is configured with another public URL, then the signature does not match', async () => {
    await post(appVerifying(vector.authToken, 'https://other.example.test'), vector.params, vector.expectedSignature).expect(403);
  });

  it('when the auth token is another account’s, then the request is refused', async () => {
    await post(appVerifying('54321'), vector.params, vector.expectedSignature).expect(403);
  });

  describe('SharedKey signatures (HMAC-SHA256)', () => {
    const SHARED_KEY = 'shared-key-secret-0123456789';
    const sharedApp = (sharedKey?: string) => {
      const app = express();
      app.post('/myapp.php', express.urlencoded({ extended: false }), verifyTwilioSignature({ authToken: vector.authToken, sharedKey, publicBaseUrl: PUBLIC_BASE_URL }), (_req, res) => {
        res.status(204).end();
      });
      app.use(errorHandler);
      return app;
    };
    const signWith = (secret: string, algorithm: string) => twilio.getExpectedTwilioSignature(secret, vector.url, vector.params, algorithm);
    const sendShared = (app: express.Express, signature: string, settings: string) =>
      request(app).post(PATH).type('form').set('X-Twilio-Signature', signature).set('X-Twilio-Webhooks-Signature-Settings', settings).send(vector.params);

    it('when a webhook is signed with the configured SharedKey using HMAC-SHA256, then it is accepted', async () => {
      await sendShared(sharedApp(SHARED_KEY), signWith(SHARED_KEY, 'HMAC_SHA256'), 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256').expect(204);
    });

    it('when the SharedKey signature was made with another key, then 403', async () => {
      await sendShared(sharedApp(SHARED_KEY), signWith('another-shared-key-0000', 'HMAC_SHA256'), 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256').expect(403);
    });

    it('when the header claims HMAC-SHA256 but the signature is the auth token one, then 403', async () => {
      await sendShared(sharedApp(SHARED_KEY), vector.expectedSignature, 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256').expect(403);
    });

    it('when no SharedKey is configured, then a SharedKey-signed webhook is refused and the reason named', async () => {
      const res = await sendShared(sharedApp(undefined), signWith(SHARED_KEY, 'HMAC_SHA256'), 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256');

      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/TWILIO_WEBHOOK_SHARED_KEY/);
    });

    it('when the header names an algorithm we do not accept, then 403', async () => {
      await sendShared(sharedApp(SHARED_KEY), signWith(SHARED_KEY, 'HMAC_SHA256'), 'key=k,algorithm=HMAC_MD5').expect(403);
    });

    it('when a SharedKey is configured, then auth-token signatures are still accepted', async () => {
      await post(sharedApp(SHARED_KEY), vector.params, vector.expectedSignature).expect(204);
    });
  });

  it('when the signature header is missing, then the request is refused and says so', async () => {
    const res = await post(appVerifying(), vector.params);

    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/Missing X-Twilio-Signature/);
  });
});
