import { describe, expect, it } from 'vitest';
import { tracingSettingsFromEnv } from './settings.js';

describe('tracing settings from the OTEL_* environment', () => {
  it('is off without an endpoint, or when disabled, or with OTEL_TRACES_EXPORTER=none', () => {
    expect(tracingSettingsFromEnv({}).settings).toBeUndefined();
    expect(
      tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })
        .settings,
    ).toBeUndefined();
    expect(
      tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toEqual({ settings: undefined, warnings: [] });
  });

  it('appends /v1/traces to the generic endpoint and uses the traces endpoint as is', () => {
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }).settings?.url).toBe(
      'http://c:4318/v1/traces',
    );
    expect(
      tracingSettingsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://t.example/otlp',
      }).settings?.url,
    ).toBe('https://t.example/otlp');
  });

  it('reads headers (URL-decoded, traces-specific winning), service name, sampler and queue sizes', () => {
    const { settings, warnings } = tracingSettingsFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=two%20words',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'a=override',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource,deployment.environment=prod',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500',
    });
    expect(warnings).toEqual([]);
    expect(settings).toMatchObject({
      headers: { a: 'override', b: 'two words' },
      serviceName: 'from-resource',
      resourceAttributes: { 'deployment.environment': 'prod' },
      samplerName: 'parentbased_traceidratio(0.1)',
      maxQueueSize: 100,
      maxExportBatchSize: 100,
      scheduleDelayMs: 5000,
      timeoutMs: 10000,
    });
  });

  it('warns about values it cannot use and falls back to the defaults', () => {
    const { settings, warnings } = tracingSettingsFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_BSP_SCHEDULE_DELAY: '-5',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(settings?.samplerName).toBe('parentbased_always_on');
    expect(settings?.scheduleDelayMs).toBe(5000);
    expect(warnings).toHaveLength(3);
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://c' }).settings).toBeUndefined();
  });
});
