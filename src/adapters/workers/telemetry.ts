import { isAnalyticsEngineDataset, writeRequestsTo } from '../../observability/analytics-engine.js';
import type { Logger } from '../../observability/logger.js';
import { createTelemetry, type Telemetry } from '../../observability/telemetry.js';
import { tracingSettingsFromEnv } from '../../observability/tracing/settings.js';
import { postWithFetch } from '../../observability/tracing/otlp-http.js';
import { createTracing } from '../../observability/tracing/tracing.js';
import type { WorkerEnv } from './types.js';

/** The Analytics Engine dataset binding the Worker writes one data point per request to, when bound. */
export const ANALYTICS_BINDING = 'GATEHOUSE_ANALYTICS';

/**
 * The isolate's telemetry: tracing from the OTEL_* vars (spans exported with `fetch` at the end
 * of each request, inside `ctx.waitUntil`), and Analytics Engine data points when the dataset is
 * bound. Undefined when neither is configured, so the gateway skips every observability step.
 */
export function createWorkerTelemetry(
  env: WorkerEnv,
  logger: Logger,
  waitUntil: (promise: Promise<unknown>) => void,
): Telemetry | undefined {
  const { settings, warnings } = tracingSettingsFromEnv(env);
  for (const warning of warnings) logger.warn('tracing setting ignored', { reason: warning });
  const dataset = env[ANALYTICS_BINDING];
  const analytics = isAnalyticsEngineDataset(dataset) ? dataset : undefined;
  if (!settings && !analytics) return undefined;
  const tracing = settings
    ? createTracing({
        settings,
        post: postWithFetch(globalThis.fetch.bind(globalThis)),
        mode: 'request',
        waitUntil,
        onExportFailure: (reason, spans) =>
          logger.warn('trace export failed; spans dropped', { reason, spans }),
      })
    : undefined;
  const telemetry = createTelemetry(tracing, (error) =>
    logger.error('telemetry listener failed', { error: String(error) }),
  );
  if (analytics) writeRequestsTo(analytics, (listener) => telemetry.accessLog.subscribe(listener));
  return telemetry;
}
