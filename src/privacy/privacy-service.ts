import type { Database } from '../db/database';
import type { ClientStore } from '../clients/client-store';
import type { PoolConfigStore } from '../pool/pool-config-store';
import { poolSettings } from '../pool/pool-config-store';
import type { PoolStore } from '../pool/pool-store';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { getLogger } from '../shared/logging/logger';
import type { AuditLog } from './audit-log';
import type { PersonalDataCipher } from './personal-data-cipher';
import type { PrivacyRequest, PrivacyRequestStore } from './privacy-request-store';
import type { Counts, SqlSubjectDataStore, SubjectData, SubjectScope } from './subject-data-store';
import { answerDueAt, RECTIFIABLE_FIELDS, type PrivacyRequestType, type Subject } from './subject';
import type { SubjectLimits } from './subject-limits';

const log = getLogger('privacy');

export interface PrivacyRequestInput {
  clientId: string;
  type: PrivacyRequestType;
  subject: Subject;
  /** Rectification only: API field name -> corrected value (null clears it). */
  changes?: Record<string, string | null>;
}

export interface SubjectExport {
  request: PrivacyRequest;
  subject: Subject;
  data: SubjectData;
  requests: PrivacyRequest[];
}

export interface PrivacyDependencies {
  db: Database;
  requests: PrivacyRequestStore;
  data: SqlSubjectDataStore;
  clients: ClientStore;
  pools: Pick<PoolConfigStore, 'listBySite'>;
  listSiteIds: (clientId: string) => Promise<string[]>;
  poolStore: PoolStore;
  cipher: PersonalDataCipher;
  limits: SubjectLimits;
  audit: AuditLog;
  /**
   * Moves everything still on its way to Postgres (visit notes and lease events in Redis, buffered page
   * views, queued call writes) into it, so an erasure or export sees all of the subject's data.
   */
  flushPipelines: () => Promise<void>;
}

/**
 * Data-subject rights for our clients (the controllers): each request is carried out at once, within
 * the client's own data only, and recorded with who asked, when, and what was done (counts and field
 * names, never values), plus an audit entry.
 */
export class PrivacyService {
  constructor(private readonly d: PrivacyDependencies) {}

  async submit(input: PrivacyRequestInput, actor: string, now: Date): Promise<PrivacyRequest> {
    if (!(await this.d.clients.findById(input.clientId))) throw new NotFoundError('No client with this clientId.');
    const scope: SubjectScope = { clientId: input.clientId, kind: input.subject.kind, value: input.subject.value, index: this.d.cipher.index(input.subject.kind, input.subject.value) };
    if (input.type === 'rectification') validateChanges(scope, input.changes);
    else if (input.changes !== undefined) throw new ValidationError('Invalid request body: changes: only a rectification takes changes.');

    if (input.type === 'erasure' || input.type === 'access' || input.type === 'portability' || endsLiveVisits(input.type, scope)) await this.d.flushPipelines();
    const outcome = await this.carryOut(input, scope, now);
    const request = await this.d.db.transaction(async (tx) => {
      if (input.type === 'erasure') await this.d.requests.forgetSealedSubject(scope.clientId, scope.index, tx);
      const saved = await this.d.requests.insert(
        {
          clientId: scope.clientId,
          type: input.type,
          subjectKind: scope.kind,
          subjectIndex: scope.index,
          subjectSealed: input.type === 'erasure' ? null : this.d.cipher.seal(scope.value),
          status: 'completed',
          requestedBy: actor,
          receivedAt: now,
          dueAt: answerDueAt(now),
          // Carried out at once: completed when received, on the same clock (receivedAt/dueAt use it too).
          completedAt: now,
          outcome,
        },
        tx,
      );
      await this.d.audit.record({ actor, clientId: scope.clientId, action: `privacy.${input.type}`, targetType: 'privacy_request', targetId: saved.id, details: { subjectKind: scope.kind, ...outcome } }, tx);
      return saved;
    });
    if (input.type === 'restriction' || input.type === 'objection') await this.d.limits.refresh().catch(() => undefined);
    log.info('privacy request carried out', { requestId: request.id, type: request.type, subjectKind: request.subjectKind });
    return request;
  }

  /** clientIds null = every client's (the operator). */
  async list(clientIds: readonly string[] | null, limit: number): Promise<PrivacyRequest[]> {
    return this.d.requests.list(clientIds, limit);
  }

  async get(id: string): Promise<PrivacyRequest> {
    const request = await this.d.requests.find(id);
    if (!request) throw new NotFoundError('No privacy request with this id.');
    return request;
  }

  /** Everything held about the subject of an access or portability request, as it is now. */
  async export(id: string, actor: string): Promise<SubjectExport> {
    const request = await this.get(id);
    if (request.type !== 'access' && request.type !== 'portability') throw new ConflictError('Only access and portability requests have an export.');
    if (!request.subjectSealed) throw new ConflictError('The subject was erased after this request: nothing is held about them any more.');
    const subject: Subject = { kind: request.subjectKind, value: this.d.cipher.open(request.subjectSealed) };
    await this.d.flushPipelines();
    const data = await this.d.data.collect({ clientId: request.clientId, ...subject, index: request.subjectIndex });
    const requests = await this.d.requests.ofSubject(request.clientId, request.subjectIndex);
    await this.d.audit.record({ actor, clientId: request.clientId, action: 'privacy.export', targetType: 'privacy_request', targetId: id });
    return { request, subject, data, requests };
  }

  /** Lifts a restriction: the subject's records are back in reports unless another restriction holds them. */
  async liftRestriction(id: string, actor: string, now: Date): Promise<PrivacyRequest> {
    const restriction = await this.get(id);
    if (restriction.type !== 'restriction') throw new NotFoundError('No restriction with this id.');
    if (restriction.liftedAt) throw new ConflictError('This restriction was already lifted.');
    const lifted = await this.d.db.transaction(async (tx) => {
      const done = await this.d.requests.lift(id, actor, now, tx);
      if (!done) throw new ConflictError('This restriction was already lifted.');
      const stillRestricted = (await this.d.requests.ofSubject(done.clientId, done.subjectIndex, tx)).some((r) => r.type === 'restriction' && !r.liftedAt && r.id !== id);
      if (!stillRestricted && done.subjectSealed) {
        await this.d.data.setRestricted({ clientId: done.clientId, kind: done.subjectKind, value: this.d.cipher.open(done.subjectSealed), index: done.subjectIndex }, false, tx);
      }
      await this.d.audit.record({ actor, clientId: done.clientId, action: 'privacy.restriction-lifted', targetType: 'privacy_request', targetId: id }, tx);
      return done;
    });
    await this.d.limits.refresh().catch(() => undefined);
    return lifted;
  }

  private async carryOut(input: PrivacyRequestInput, scope: SubjectScope, now: Date): Promise<Record<string, unknown>> {
    switch (input.type) {
      case 'access':
      case 'portability': {
        const data = await this.d.data.collect(scope);
        return { found: countsOf(data) };
      }
      case 'erasure':
        return this.erase(scope, now);
      case 'rectification': {
        const changes = input.changes as Record<string, string | null>;
        const updated = await this.d.db.transaction((tx) => this.d.data.rectify(scope, changes, tx));
        return { fields: Object.keys(changes), updated };
      }
      case 'restriction': {
        const restricted = await this.d.db.transaction((tx) => this.d.data.setRestricted(scope, true, tx));
        return scope.kind === 'visitor' ? { restricted, redis: await this.endLiveVisits(scope, now) } : { restricted };
      }
      case 'objection': {
        // Only what comes next changes: new visits are not tracked, new calls are kept anonymised.
        if (scope.kind === 'phone') return { future: 'calls forwarded and kept without the caller or any visit link' };
        return { future: 'visits not tracked', redis: await this.endLiveVisits(scope, now) };
      }
    }
  }

  /** Redis first (its leases and unwritten events would otherwise bring the visits back), then Postgres. */
  private async erase(scope: SubjectScope, now: Date): Promise<Record<string, unknown>> {
    const redis = await this.endLiveVisits(scope, now);
    const postgres = await this.d.db.transaction((tx) => this.d.data.erase(scope, tx));
    return { postgres, redis };
  }

  /**
   * Ends the visitor's live leases and takes their visits off every number's recent holders, so no
   * heartbeat keeps their number and no new call is credited to their visits (the script, told its
   * lease is lost, registers again and is then not tracked); their lease history is closed to match.
   * Pipelines are flushed first by submit.
   */
  private async endLiveVisits(scope: SubjectScope, now: Date): Promise<Counts> {
    const redis: Counts = { leasesEnded: 0, holdersForgotten: 0 };
    const visitIds = await this.d.data.visitIdsOf(scope);
    if (!visitIds.length) return redis;
    for (const siteId of await this.d.listSiteIds(scope.clientId)) {
      for (const pool of await this.d.pools.listBySite(siteId)) {
        const forgotten = await this.d.poolStore.forgetVisits(poolSettings(pool), visitIds, now.getTime());
        redis.leasesEnded += forgotten.leasesEnded;
        redis.holdersForgotten += forgotten.holdersForgotten;
      }
    }
    await this.d.data.closeLeases(visitIds, now);
    return redis;
  }
}

/** A visitor who restricts processing or objects keeps no live lease: see endLiveVisits. */
function endsLiveVisits(type: PrivacyRequestType, scope: SubjectScope): boolean {
  return scope.kind === 'visitor' && (type === 'restriction' || type === 'objection');
}

function validateChanges(scope: SubjectScope, changes: Record<string, string | null> | undefined): void {
  const allowed = Object.keys(RECTIFIABLE_FIELDS[scope.kind]);
  if (!changes || !Object.keys(changes).length) throw new ValidationError(`Invalid request body: changes: a rectification needs at least one of ${allowed.join(', ')}.`);
  const unknown = Object.keys(changes).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new ValidationError(`Invalid request body: changes: ${unknown.join(', ')} cannot be rectified for a ${scope.kind} subject (allowed: ${allowed.join(', ')}).`);
}

function countsOf(data: SubjectData): Counts {
  return Object.fromEntries(Object.entries(data).map(([k, rows]) => [k, (rows as unknown[]).length]));
}
