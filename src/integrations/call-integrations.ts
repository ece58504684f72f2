import type { Database } from '../db/database';
import type { SqlCallStore } from '../calls/call-store';
import type { PersonalDataCipher } from '../privacy/personal-data-cipher';
import type { Clock } from '../shared/clock';
import type { DeliveryTarget } from './delivery-target';
import { SqlDeliveryStore } from './delivery-store';
import { DeliverySender, type Post } from './delivery-sender';
import { OutboxDispatcher } from './outbox-dispatcher';
import { SqlWebhookEndpointStore } from './webhook-endpoint-store';
import { postWebhook } from './webhook-http';
import { WebhookTarget } from './webhook-target';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Settled events and their deliveries (bodies hold caller numbers) are kept this long, then deleted. */
export const DELIVERIES_KEPT_MS = 30 * DAY_MS;

/** The call outbox and what it feeds: client webhooks, plus any other targets (GA4). */
export interface CallIntegrations {
  endpoints: SqlWebhookEndpointStore;
  deliveries: SqlDeliveryStore;
  dispatcher: OutboxDispatcher;
  sender: DeliverySender;
  /** Dispatch what is in the outbox, then send what is due (tests; the jobs do both every 5 s). */
  runNow(): Promise<{ events: number; attempted: number }>;
  /** Deletes events and deliveries settled longer ago than DELIVERIES_KEPT_MS. */
  purge(): Promise<number>;
}

export interface CallIntegrationOptions {
  db: Database;
  calls: Pick<SqlCallStore, 'findById'>;
  cipher: PersonalDataCipher;
  clock: Clock;
  /** Webhooks may go to loopback and private addresses (config.webhooks.allowPrivateUrls). */
  allowPrivateUrls: boolean;
  /** Targets beside client webhooks (GA4). */
  otherTargets?: DeliveryTarget[];
  /** How requests are sent (tests may pass their own). */
  post?: Post;
}

export function buildCallIntegrations(o: CallIntegrationOptions): CallIntegrations {
  const endpoints = new SqlWebhookEndpointStore(o.db, o.cipher);
  const deliveries = new SqlDeliveryStore(o.db, o.cipher);
  const targets = [new WebhookTarget(endpoints), ...(o.otherTargets ?? [])];
  const dispatcher = new OutboxDispatcher(o.db, o.calls, deliveries, targets, o.clock);
  const sender = new DeliverySender(deliveries, targets, o.post ?? ((req) => postWebhook(req, { allowPrivate: o.allowPrivateUrls })), o.clock);
  return {
    endpoints,
    deliveries,
    dispatcher,
    sender,
    async runNow() {
      const { events } = await dispatcher.run();
      const { attempted } = await sender.run();
      return { events, attempted };
    },
    purge: () => deliveries.purgeDispatchedBefore(new Date(o.clock.now() - DELIVERIES_KEPT_MS)),
  };
}
