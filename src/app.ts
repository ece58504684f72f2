import express from 'express';
import type { Container } from './container';
import { requestId } from './shared/http/request-id';
import { accessLog } from './shared/http/access-log';
import { authenticate } from './access/authenticate';
import { apiKeyRoutes } from './access/api-key-routes';
import { errorHandler, notFoundHandler } from './shared/http/error-handler';
import { healthRoutes } from './health/health-routes';
import { clientRoutes } from './clients/client-routes';
import { siteRoutes } from './sites/site-routes';
import { poolRoutes } from './pool/pool-routes';
import { poolHealthRoutes } from './pool/health/pool-health-routes';
import { callRoutes } from './calls/call-routes';
import { reportRoutes } from './reports/report-routes';
import { trackingRoutes } from './tracking/tracking-routes';
import { voiceWebhookRoutes } from './telephony/voice-webhook-routes';
import { callProgressRoutes } from './telephony/call-progress-routes';
import { numberRoutes } from './numbers/number-routes';
import { demoRoutes } from './demo/demo-routes';
import { privacyRoutes } from './privacy/privacy-routes';
import { auditAdminWrites } from './privacy/audit-admin-writes';
import { observeRequests } from './metrics/http-metrics';
import { protectedMetricsRoutes } from './metrics/metrics-routes';
import { countFailedBackends } from './metrics/backend-errors';
import { securityHeaders } from './shared/http/security-headers';
import { openApiRoutes } from './openapi/openapi-routes';
import { webhookRoutes } from './integrations/webhook-routes';
import { dashboardRoutes } from './dashboard/dashboard-routes';

/** The HTTP surface: public tracking API, carrier webhooks, authenticated admin API. */
export function createApp(c: Container): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind a load balancer or TLS proxy the client address comes from X-Forwarded-For.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.use(requestId, accessLog, observeRequests(c.metrics));
  app.use(securityHeaders());
  // Scrapers present METRICS_TOKEN; without one there is no /metrics here (METRICS_PORT may serve it privately).
  if (c.config.metricsToken) app.use(protectedMetricsRoutes(c.metrics, c.config.metricsToken));

  app.use(healthRoutes([{ name: 'database', check: () => c.db.ping() }, { name: 'pool', check: () => c.poolStore.ping() }], { mode: c.mode }));
  app.use(openApiRoutes(app, { publicBaseUrl: c.config.publicBaseUrl, metrics: Boolean(c.config.metricsToken), demo: c.config.seedDemo }));
  app.use(trackingRoutes(c.services.visits, c.trackingScripts, c.clock, c.consents, c.rateLimits.requests, c.metrics));
  if (c.config.seedDemo) app.use(demoRoutes(c.config.publicBaseUrl));
  const signing = { authToken: c.config.telephony.authToken, sharedKey: c.config.telephony.webhookSharedKey, publicBaseUrl: c.config.publicBaseUrl };
  app.use(voiceWebhookRoutes(c.services.calls, c.clock, signing, c.metrics));
  app.use(callProgressRoutes(c.services.calls, c.clock, signing, c.metrics));

  app.use(dashboardRoutes());
  // Everything under /v1 is the authenticated admin API; its routers declare their full paths.
  app.use('/v1', authenticate(c.access.authenticator), express.json({ limit: '64kb' }), auditAdminWrites(c.privacy.audit));
  app.use(clientRoutes(c.stores.clients, c.access.control));
  app.use(apiKeyRoutes(c.access.keys, c.stores.clients, c.access.authenticator, c.access.control, c.clock));
  app.use(siteRoutes(c.services.sites, c.config.publicBaseUrl, c.access.control));
  app.use(poolRoutes(c.services.pools, c.clock, c.access.control));
  app.use(poolHealthRoutes(c.poolHealth, c.clock, c.access.control));
  app.use(numberRoutes({ numbers: c.stores.numbers, lifecycle: c.numberLifecycle, reconciliation: c.reconciliation, onNumbersChanged: () => c.numberDirectory.invalidate() }, c.clock, c.access.control));
  app.use(callRoutes(c.stores.calls, c.access.control, c.reports));
  app.use(webhookRoutes({ endpoints: c.integrations.endpoints, deliveries: c.integrations.deliveries, allowPrivateUrls: c.config.webhooks.allowPrivateUrls, clock: c.clock }, c.access.control));
  app.use(reportRoutes(c.reports.store, c.clock, c.access.control));
  app.use(privacyRoutes(c.privacy.service, c.privacy.audit, c.clock, c.access.control));

  app.use(notFoundHandler);
  app.use(countFailedBackends(c.metrics));
  app.use(errorHandler);
  return app;
}
