import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
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
  app.post('/myapp.php', express.urlencoded({ extended: false }), verifyTwilioSignature(authToken, publicBaseUrl), (_req, res) => {
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

  it('when the signature header is missing, then the request is refused and says so', async () => {
    const res = await post(appVerifying(), vector.params);

    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/Missing X-Twilio-Signature/);
  });
});
