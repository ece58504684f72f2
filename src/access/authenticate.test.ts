import { createHash } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../shared/http/error-handler';
import { ApiKeyAuthenticator, authenticate, hashApiKey } from './authenticate';
import type { ApiKey, ApiKeyStore } from './api-key-store';
import { OPERATOR_ACCESS, type Role } from './roles';

const BOOTSTRAP_KEY = 'ctk_admin_bootstrap_0123456789abcdef';
const CLIENT_A = '0a0a0a0a-0000-4000-8000-00000000000a';
const T0 = Date.parse('2026-11-30T10:00:00Z');
const SECOND = 1000;

/** An in-memory key table that counts lookups and records every last-used write. */
class FakeKeyStore implements ApiKeyStore {
  readonly keys = new Map<string, ApiKey & { keyHash: string }>();
  lookups = 0;
  touches: { ids: string[]; at: number }[] = [];
  failTouch = false;

  add(key: string, role: Role, clientIds = [CLIENT_A]): ApiKey {
    const id = `key-${this.keys.size + 1}`;
    const k = { id, prefix: key.slice(0, 13), role, clientIds, createdBy: 'operator', createdAt: new Date(T0), lastUsedAt: null, revokedAt: null, keyHash: hashApiKey(key).toString('hex') };
    this.keys.set(id, k);
    return k;
  }

  async create(): Promise<ApiKey> {
    throw new Error('not used');
  }

  async findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    this.lookups += 1;
    return [...this.keys.values()].find((k) => k.keyHash === keyHash && !k.revokedAt) ?? null;
  }

  async findById(id: string): Promise<ApiKey | null> {
    return this.keys.get(id) ?? null;
  }

  async listByClient(): Promise<ApiKey[]> {
    return [...this.keys.values()];
  }

  async revoke(id: string, _by: string, at: Date): Promise<ApiKey | null> {
    const k = this.keys.get(id);
    if (k) k.revokedAt = at;
    return k ?? null;
  }

  async touch(ids: readonly string[], at: Date): Promise<void> {
    if (this.failTouch) throw new Error('database unavailable');
    this.touches.push({ ids: [...ids], at: at.getTime() });
  }
}

describe('ApiKeyAuthenticator', () => {
  let store: FakeKeyStore;
  let auth: ApiKeyAuthenticator;
  beforeEach(() => {
    // Modern fake timers move Date.now and setTimeout together: the authenticator's clock and its flush timer.
    jest.useFakeTimers({ now: T0 });
    store = new FakeKeyStore();
    auth = new ApiKeyAuthenticator(store, hashApiKey(BOOTSTRAP_KEY), () => Date.now());
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('when the key hashes to SHA-256 hex, then that is what the store is asked for (the key itself is never stored)', () => {
    expect(hashApiKey('ctk_live_abc').toString('hex')).toBe(createHash('sha256').update('ctk_live_abc').digest('hex'));
  });

  it('when the bootstrap key is presented, then the caller is the operator, without a key lookup or a last-used write', async () => {
    // Act
    const access = await auth.authenticate(BOOTSTRAP_KEY);
    await jest.advanceTimersByTimeAsync(120 * SECOND);

    // Assert
    expect(access).toBe(OPERATOR_ACCESS);
    expect(store.lookups).toBe(0);
    expect(store.touches).toEqual([]);
  });

  it.each([
    ['the bootstrap key with one character changed', `${BOOTSTRAP_KEY.slice(0, -1)}0`],
    ['a prefix of the bootstrap key', BOOTSTRAP_KEY.slice(0, 10)],
    ['a much longer key', `${BOOTSTRAP_KEY}${'x'.repeat(150)}`],
  ])('when %s is presented, then it is not the operator (compared as fixed-length hashes, so no length error either)', async (_label, presented) => {
    // Act
    const access = await auth.authenticate(presented);

    // Assert
    expect(access).toBeNull();
    expect(store.lookups).toBe(1);
  });

  it('when a client key is presented, then its role and clients, and an actor naming the key id (not the key)', async () => {
    // Arrange
    const key = store.add('ctk_live_analyst_key_000000000000000000000', 'analyst');

    // Act
    const access = await auth.authenticate('ctk_live_analyst_key_000000000000000000000');

    // Assert
    expect(access).toEqual({ actor: `key:${key.id}`, role: 'analyst', keyId: key.id, clients: [CLIENT_A] });
    expect(Object.isFrozen(access?.clients)).toBe(true);
  });

  it('when a key is presented again within 30 s, then the store is not asked again; after 30 s it is', async () => {
    // Arrange
    store.add('ctk_live_cached_key', 'admin');
    await auth.authenticate('ctk_live_cached_key');

    // Act
    await jest.advanceTimersByTimeAsync(29 * SECOND);
    await auth.authenticate('ctk_live_cached_key');
    const lookupsWithin = store.lookups;
    await jest.advanceTimersByTimeAsync(2 * SECOND);
    await auth.authenticate('ctk_live_cached_key');

    // Assert
    expect(lookupsWithin).toBe(1);
    expect(store.lookups).toBe(2);
  });

  it('when an unknown key is presented twice, then the answer (none) is cached too, so guessing does not cost a query each time', async () => {
    // Act
    const first = await auth.authenticate('ctk_live_guess');
    const second = await auth.authenticate('ctk_live_guess');

    // Assert
    expect([first, second]).toEqual([null, null]);
    expect(store.lookups).toBe(1);
  });

  it('when a key is revoked elsewhere, then it works until its cache entry expires (30 s); after forgetAll it fails at once', async () => {
    // Arrange
    const key = store.add('ctk_live_revoked_key', 'owner');
    await auth.authenticate('ctk_live_revoked_key');
    await store.revoke(key.id, 'operator', new Date());

    // Act
    const beforeForget = await auth.authenticate('ctk_live_revoked_key');
    auth.forgetAll();
    const afterForget = await auth.authenticate('ctk_live_revoked_key');

    // Assert
    expect(beforeForget?.keyId).toBe(key.id);
    expect(afterForget).toBeNull();
  });

  it('when a revoked key is presented on another instance (no forgetAll), then it fails once 30 s have passed', async () => {
    // Arrange
    const key = store.add('ctk_live_other_instance', 'owner');
    await auth.authenticate('ctk_live_other_instance');
    await store.revoke(key.id, 'operator', new Date());

    // Act
    await jest.advanceTimersByTimeAsync(30 * SECOND + 1);
    const access = await auth.authenticate('ctk_live_other_instance');

    // Assert
    expect(access).toBeNull();
  });

  it('when keys are used many times within a minute, then last-used is written at once for the first use and then once a minute, batched', async () => {
    // Arrange
    const one = store.add('ctk_live_one', 'admin');
    const two = store.add('ctk_live_two', 'analyst');

    // Act
    await auth.authenticate('ctk_live_one');
    const afterFirst = store.touches.length;
    for (let i = 0; i < 10; i += 1) {
      await jest.advanceTimersByTimeAsync(5 * SECOND);
      await auth.authenticate(i % 2 ? 'ctk_live_one' : 'ctk_live_two');
    }
    const withinMinute = store.touches.length;
    await jest.advanceTimersByTimeAsync(10 * SECOND);

    // Assert
    expect(afterFirst).toBe(1);
    expect(store.touches[0]).toEqual({ ids: [one.id], at: T0 });
    expect(withinMinute).toBe(1);
    // One write for the rest of the minute, dated at the latest use (T0 + 50 s), not when it was written.
    expect(store.touches).toHaveLength(2);
    expect(store.touches[1]).toEqual({ ids: [two.id, one.id], at: T0 + 50 * SECOND });
  });

  it('when a key is used once after a write and never again, then its use is still written within a minute', async () => {
    // Arrange
    store.add('ctk_live_busy', 'admin');
    const quiet = store.add('ctk_live_quiet', 'admin');
    await auth.authenticate('ctk_live_busy');
    await jest.advanceTimersByTimeAsync(1 * SECOND);

    // Act
    await auth.authenticate('ctk_live_quiet');
    await jest.advanceTimersByTimeAsync(59 * SECOND);

    // Assert
    expect(store.touches.map((t) => t.ids)).toEqual([[expect.any(String)], [quiet.id]]);
    expect(store.touches[1].at).toBe(T0 + 1 * SECOND);
  });

  it('when the last-used write fails, then authentication still succeeds', async () => {
    // Arrange
    store.failTouch = true;
    store.add('ctk_live_touch_fails', 'admin');

    // Act
    const access = await auth.authenticate('ctk_live_touch_fails');
    await jest.advanceTimersByTimeAsync(0);

    // Assert
    expect(access?.role).toBe('admin');
  });
});

describe('authenticate middleware', () => {
  function appWith(auth: ApiKeyAuthenticator) {
    const app = express();
    app.use(authenticate(auth));
    app.get('/v1/whoami', (_req, res) => void res.json(res.locals.access));
    app.use(errorHandler);
    return app;
  }
  const store = new FakeKeyStore();
  store.add('ctk_live_valid_key', 'privacy');
  const app = appWith(new ApiKeyAuthenticator(store, hashApiKey(BOOTSTRAP_KEY)));

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic b3BlcmF0b3I6c2VjcmV0'],
    ['"Bearer" alone', 'Bearer'],
    ['an empty bearer', 'Bearer   '],
    ['two tokens', 'Bearer ctk_live_valid_key extra'],
    ['a key longer than 200 characters', `Bearer ${'k'.repeat(201)}`],
    ['a key that is not known', 'Bearer ctk_live_not_a_key'],
    ['the key without the scheme', 'ctk_live_valid_key'],
  ])('when a request has %s, then 401 problem', async (_label, authorization) => {
    // Arrange
    const req = request(app).get('/v1/whoami');
    if (authorization !== undefined) req.set('Authorization', authorization);

    // Act
    const res = await req;

    // Assert
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it.each([
    ['Bearer ctk_live_valid_key', 'privacy'],
    ['bearer ctk_live_valid_key  ', 'privacy'],
    [`Bearer ${BOOTSTRAP_KEY}`, 'operator'],
  ])('when a request has %j, then the caller is known to the routes', async (authorization, role) => {
    // Act
    const res = await request(app).get('/v1/whoami').set('Authorization', authorization);

    // Assert
    expect(res.status).toBe(200);
    expect(res.body.role).toBe(role);
  });

  it('when the key table cannot be read, then the error is passed on (500), not answered as an invalid key', async () => {
    // Arrange
    const failing = new FakeKeyStore();
    failing.findActiveByHash = async () => {
      throw new Error('database unavailable');
    };

    // Act
    const res = await request(appWith(new ApiKeyAuthenticator(failing, hashApiKey(BOOTSTRAP_KEY)))).get('/v1/whoami').set('Authorization', 'Bearer ctk_live_any');

    // Assert
    expect(res.status).toBe(500);
  });
});
