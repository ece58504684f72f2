import { z } from 'zod';
import { ROLES, type Role } from '../access/roles';
import { CALL_STATUSES } from '../calls/domain/call-status';
import { PRIVACY_REQUEST_TYPES, type PrivacyRequestType } from '../privacy/subject';
import type { clientView } from '../clients/client-routes';
import type { siteView } from '../sites/site-routes';
import type { poolView } from '../pool/pool-routes';
import type { numberView } from '../numbers/number-view';
import type { callView, legView } from '../calls/call-routes';
import type { journeyView } from '../calls/call-routes';
import { REPORT_DIMENSIONS } from '../reports/domain/report';
import type { Metrics as ReportMetricsShape } from '../reports/domain/report';
import type { keyView } from '../access/api-key-routes';
import type { auditView, requestView } from '../privacy/privacy-routes';
import type { ProvisionResult } from '../pool/pool-service';
import type { ReconciliationReport } from '../numbers/number-reconciliation';
import type { PoolStats } from '../pool/pool-store';

/*
 * What the admin API answers. The routes build these with view functions rather than schemas, so each
 * schema here is checked against its view by the compiler (ViewsMatchSchemas at the end).
 */

const instant = z.iso.datetime();
const nullableInstant = instant.nullable();

export const Client = z
  .object({
    id: z.uuid(),
    name: z.string(),
    twilioBundleSid: z.string().nullable(),
    twilioAddressSid: z.string().nullable(),
    activityRetentionDays: z.number().int(),
    callRetentionMonths: z.number().int(),
    poolBlockingTarget: z.number().meta({ description: 'Share of visits allowed to find every number of a pool taken; what pool sizing advice aims at (default 0.01).' }),
    createdAt: instant,
  })
  .meta({ id: 'Client' });

export const Site = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    name: z.string(),
    siteKey: z.string(),
    scriptUrl: z.url().meta({ description: 'The tracking script to put on the site.' }),
    domains: z.array(z.string()),
    trackingEnabled: z.boolean(),
    swapTargets: z.array(z.string()),
    consent: z.enum(['required', 'not-required']),
    honorDnt: z.boolean(),
    honorGpc: z.boolean(),
    activityRetentionDays: z.number().int().nullable().meta({ description: "null: the client's setting." }),
    callRetentionMonths: z.number().int().nullable().meta({ description: "null: the client's setting." }),
    ga4: z
      .object({ measurementId: z.string(), eventName: z.string(), enabled: z.boolean(), apiSecretSet: z.literal(true).meta({ description: 'The API secret is stored (sealed); it is never shown.' }) })
      .nullable()
      .meta({ description: 'Where completed calls are sent in Google Analytics 4 (docs/ga4.md); null: nowhere.' }),
    createdAt: instant,
  })
  .meta({ id: 'Site' });

export const Pool = z
  .object({
    id: z.uuid(),
    siteId: z.uuid(),
    name: z.string(),
    forwardTo: z.string(),
    leaseSeconds: z.number().int(),
    graceSeconds: z.number().int(),
    cooldownSeconds: z.number().int(),
    exhaustionPolicy: z.enum(['overflow', 'recycle']),
    overflowNumberId: z.uuid().nullable(),
    dialTimeoutSeconds: z.number().int(),
    whisper: z.string().nullable(),
    record: z.boolean(),
    recordAnnouncement: z.string().nullable(),
    fallback: z.string().nullable().meta({ description: "An E.164 number, 'voicemail', or null (the call ends)." }),
    createdAt: instant,
  })
  .meta({ id: 'Pool' });

const PoolStatsSchema = z.object({ total: z.number().int(), leased: z.number().int(), available: z.number().int(), coolingDown: z.number().int(), exhaustedCount: z.number().int() });
export const PoolWithStats = Pool.extend({ stats: PoolStatsSchema }).meta({ id: 'PoolWithStats' });

export const TrackingNumber = z
  .object({
    id: z.uuid(),
    poolId: z.uuid().nullable(),
    e164: z.string(),
    country: z.string(),
    role: z.enum(['pool', 'overflow', 'static']),
    staticSource: z.string().nullable(),
    status: z.enum(['active', 'quarantined', 'released']),
    provider: z.string(),
    providerSid: z.string().nullable(),
    quarantinedAt: nullableInstant,
    releaseAfter: nullableInstant,
    releasedAt: nullableInstant,
    overrides: z
      .object({ whisper: z.union([z.string(), z.boolean()]).nullable(), record: z.boolean().nullable(), fallback: z.string().nullable() })
      .meta({ description: "null: as the pool says; whisper false and fallback 'none' switch the pool's off for this number." }),
  })
  .meta({ id: 'TrackingNumber' });

export const ProvisionedNumbers = z.object({
  numbers: z.array(z.object({ id: z.uuid(), e164: z.string(), role: z.enum(['pool', 'overflow', 'static']) })),
  failed: z.array(z.object({ e164: z.string(), reason: z.string(), code: z.number().int().optional() })).meta({ description: "Numbers tried and not bought, with the carrier's reason." }),
});

export const ReconciliationReportSchema = z.object({
  matched: z.number().int(),
  repaired: z.array(z.object({ numberId: z.uuid(), providerSid: z.string(), drifted: z.array(z.enum(['voiceUrl', 'voiceMethod', 'voiceFallbackUrl', 'voiceFallbackMethod', 'statusCallback', 'statusCallbackMethod'])) })),
  repairFailed: z.array(z.object({ numberId: z.uuid(), providerSid: z.string(), reason: z.string() })),
  onlyAtCarrier: z.array(z.object({ providerSid: z.string(), e164: z.string() })),
  onlyInDatabase: z.array(z.object({ numberId: z.uuid(), e164: z.string() })),
});

export const ApiKey = z
  .object({
    id: z.uuid(),
    prefix: z.string(),
    role: z.enum(ROLES as [Role, ...Role[]]),
    clientIds: z.array(z.uuid()).meta({ description: 'Only the clients the caller may act for are named.' }),
    createdBy: z.string(),
    createdAt: instant,
    lastUsedAt: nullableInstant,
    revokedAt: nullableInstant,
  })
  .meta({ id: 'ApiKey' });

export const NewApiKey = ApiKey.extend({ key: z.string().meta({ description: 'The secret: shown this once, never again.' }) }).meta({ id: 'NewApiKey' });

const nullableText = z.string().nullable();

export const Call = z
  .object({
    id: z.uuid(),
    callSid: z.string(),
    siteId: z.uuid().nullable(),
    poolId: z.uuid().nullable(),
    from: nullableText,
    to: nullableText,
    direction: nullableText,
    status: z.enum(CALL_STATUSES),
    durationSeconds: z.number().int().nullable(),
    dialStatus: nullableText,
    talkSeconds: z.number().int().nullable(),
    startedAt: instant,
    answeredAt: nullableInstant,
    endedAt: nullableInstant,
    forwardedTo: nullableText,
    visitId: nullableText,
    attribution: z.enum(['lease', 'grace', 'ambiguous', 'static', 'none', 'released-number']),
    attributionCandidates: z.array(z.object({ visitId: z.string(), endedAt: nullableInstant })),
    needsReattribution: z.boolean(),
    repeatCaller: z.boolean(),
    previousCallId: z.uuid().nullable(),
    source: nullableText,
    medium: nullableText,
    campaign: nullableText,
    term: nullableText,
    content: nullableText,
    referrer: nullableText,
    landingPage: nullableText,
    gclid: nullableText,
    callerName: nullableText,
    forwardedFrom: nullableText,
    fromCity: nullableText,
    fromState: nullableText,
    fromZip: nullableText,
    fromCountry: nullableText,
    stirVerstat: nullableText,
    fallback: z.enum(['number', 'voicemail']).nullable(),
    recording: z.object({ sid: z.string(), url: z.string(), durationSeconds: z.number().int().nullable(), kind: z.enum(['call', 'voicemail']) }).nullable(),
    restricted: z.boolean(),
    anonymised: z.boolean(),
  })
  .meta({ id: 'Call' });

/** The visitor's path to a call (GET /v1/calls/{callId}): their visits to the site, oldest first, with the pages viewed before the call. */
export const CallJourney = z
  .array(
    z.object({
      visitId: z.string(),
      startedAt: instant,
      source: z.string(),
      medium: z.string(),
      campaign: nullableText,
      referrer: nullableText,
      landingPage: z.string(),
      pages: z.array(z.object({ kind: z.enum(['entry', 'view', 'exit']), url: z.string(), title: nullableText, viewedAt: instant })).meta({ description: 'Pages viewed up to the call, in order (at most 200 over the journey).' }),
    }),
  )
  .nullable()
  .meta({ id: 'CallJourney', description: 'At most 20 visits, the credited one last; null when the call has no visit, or its visit was deleted (retention, erasure) or is restricted.' });

/** One call with its journey, and the source of each visit it could be credited to. */
export const CallDetail = Call.extend({
  attributionCandidates: z.array(
    z
      .object({ visitId: z.string(), endedAt: nullableInstant, source: nullableText.optional(), medium: nullableText.optional(), campaign: nullableText.optional() })
      .meta({ description: "source/medium/campaign: only when the call is ambiguous (null when that visit is gone or restricted)." }),
  ),
  journey: CallJourney,
}).meta({ id: 'CallDetail' });

const reportMetrics = {
  calls: z.number().int(),
  answered: z.number().int(),
  missed: z.number().int().meta({ description: 'Ended (completed, busy, failed, no-answer, canceled) without being answered.' }),
  firstTimeCallers: z.number().int(),
  repeatCallers: z.number().int(),
  talkSecondsTotal: z.number().int(),
  talkSecondsAverage: z.number().nullable().meta({ description: 'Over answered calls; null when none.' }),
  answerRate: z.number().min(0).max(1).nullable().meta({ description: 'answered / calls; null when there were no calls.' }),
};
export const ReportMetrics = z.object(reportMetrics).meta({ id: 'ReportMetrics' });

export const CallsReport = z
  .object({
    siteId: z.uuid(),
    from: instant,
    to: instant,
    timeZone: z.string(),
    groupBy: z.array(z.enum(REPORT_DIMENSIONS)),
    totals: ReportMetrics,
    groups: z.array(
      z.object({
        key: z.partialRecord(z.enum(REPORT_DIMENSIONS), z.string().nullable()).meta({ description: 'One member per groupBy dimension; day = local date (2026-03-29), hour = local start with offset (2026-10-25T01:00+01:00); null = none.' }),
        ...reportMetrics,
      }),
    ),
  })
  .meta({ id: 'CallsReport' });

export const CallLeg = z
  .object({ callSid: z.string(), to: nullableText, status: z.enum(CALL_STATUSES), durationSeconds: z.number().int().nullable(), startedAt: instant, answeredAt: nullableInstant, endedAt: nullableInstant })
  .meta({ id: 'CallLeg' });

export const PrivacyRequest = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    type: z.enum(PRIVACY_REQUEST_TYPES as [PrivacyRequestType, ...PrivacyRequestType[]]),
    subjectKind: z.enum(['phone', 'visitor']),
    status: z.enum(['completed', 'failed']),
    requestedBy: z.string(),
    receivedAt: instant,
    dueAt: instant,
    completedAt: nullableInstant,
    outcome: z.record(z.string(), z.unknown()),
    active: z.boolean().optional().meta({ description: 'Restrictions only: not lifted yet.' }),
    liftedAt: nullableInstant.optional(),
    liftedBy: nullableText.optional(),
    export: z.object({ json: z.string(), csv: z.string() }).optional().meta({ description: 'Access and portability requests: where to download the export.' }),
  })
  .meta({ id: 'PrivacyRequest' });

export const AuditRecord = z
  .object({
    id: z.string(),
    at: instant,
    actor: z.string(),
    clientId: z.uuid().nullable(),
    action: z.string(),
    targetType: nullableText,
    targetId: nullableText,
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditRecord' });

/** true when A and B are assignable to each other. */
type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type Out<S extends z.ZodType> = z.output<S>;
/** An audit record read back always has its details (stored as {} when none were given). */
type StoredAudit = Omit<ReturnType<typeof auditView>, 'details'> & { details: Record<string, unknown> };

/** Compile-time only: tsc fails here when a view and the schema documenting it part ways. */
export type ViewsMatchSchemas = [
  Assert<SameShape<Out<typeof Client>, ReturnType<typeof clientView>>>,
  Assert<SameShape<Out<typeof Site>, ReturnType<typeof siteView>>>,
  Assert<SameShape<Out<typeof Pool>, ReturnType<typeof poolView>>>,
  Assert<SameShape<Out<typeof PoolWithStats>['stats'], PoolStats>>,
  Assert<SameShape<Out<typeof TrackingNumber>, ReturnType<typeof numberView>>>,
  Assert<SameShape<Out<typeof ApiKey>, ReturnType<typeof keyView>>>,
  Assert<SameShape<Out<typeof Call>, ReturnType<typeof callView>>>,
  Assert<SameShape<Out<typeof CallLeg>, ReturnType<typeof legView>>>,
  Assert<SameShape<Out<typeof CallJourney>, ReturnType<typeof journeyView>>>,
  Assert<SameShape<Out<typeof ReportMetrics>, ReportMetricsShape>>,
  Assert<SameShape<Out<typeof AuditRecord>, StoredAudit>>,
  Assert<SameShape<Out<typeof ProvisionedNumbers>['failed'], ProvisionResult['failed']>>,
  Assert<SameShape<Out<typeof ReconciliationReportSchema>, ReconciliationReport>>,
  // Its optional members come and go with the request's type: every view must fit the schema.
  Assert<ReturnType<typeof requestView> extends Out<typeof PrivacyRequest> ? true : false>,
];
