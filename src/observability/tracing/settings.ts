/**
 * Tracing settings from the standard OpenTelemetry environment variables (the SDK
 * configuration specification's names and defaults), read once at start. No endpoint → no
 * exporter → no tracing (the gateway then only forwards `traceparent`/`tracestate` as received).
 * docs/OBSERVABILITY.md lists every variable.
 */
export interface TracingSettings {
  /** The full OTLP/HTTP traces URL (…/v1/traces). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerSpec;
  /** The sampler as configured, e.g. `parentbased_traceidratio(0.1)`, for the start-up log line. */
  readonly samplerName: string;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduleDelayMs: number;
}

/**
 * The sampler as configured; tracing.ts builds the SDK's sampler from it (the settings are read
 * without loading the SDK, so a process that does not trace never loads it).
 */
export interface SamplerSpec {
  readonly root: 'always_on' | 'always_off' | 'traceidratio';
  readonly ratio?: number;
  /** `parentbased_*`: a sampled (or unsampled) parent decides; `root` applies only to new traces. */
  readonly parentBased: boolean;
}

export interface TracingSettingsResult {
  readonly settings: TracingSettings | undefined;
  /** Values that were ignored and why (logged as warnings). */
  readonly warnings: readonly string[];
}

type Env = Readonly<Record<string, unknown>>;

export function tracingSettingsFromEnv(env: Env): TracingSettingsResult {
  const warnings: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  if (get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { settings: undefined, warnings };
  const exporter = get('OTEL_TRACES_EXPORTER');
  if (exporter !== undefined && exporter !== 'otlp') {
    if (exporter !== 'none') warnings.push(`OTEL_TRACES_EXPORTER=${exporter}: only "otlp" is supported`);
    return { settings: undefined, warnings };
  }
  const url = tracesUrl(get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'), get('OTEL_EXPORTER_OTLP_ENDPOINT'));
  if (url === undefined) return { settings: undefined, warnings };
  try {
    const protocol = new URL(url).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    warnings.push(`OTLP traces endpoint "${url}" is not an http(s) URL: tracing stays off`);
    return { settings: undefined, warnings };
  }
  const protocol = get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? get('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && protocol !== 'http/json') {
    warnings.push(`OTLP protocol "${protocol}": Gatehouse exports OTLP/HTTP with JSON bodies (http/json)`);
  }
  const resourceAttributes = parseKeyValueList(get('OTEL_RESOURCE_ATTRIBUTES'), warnings);
  const { sampler, name: samplerName } = samplerFrom(
    get('OTEL_TRACES_SAMPLER'),
    get('OTEL_TRACES_SAMPLER_ARG'),
    warnings,
  );
  const maxQueueSize = positiveInt(get, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, warnings);
  return {
    settings: {
      url,
      headers: {
        ...parseKeyValueList(get('OTEL_EXPORTER_OTLP_HEADERS'), warnings),
        ...parseKeyValueList(get('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), warnings),
      },
      timeoutMs: positiveInt(
        get,
        get('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT')
          ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
          : 'OTEL_EXPORTER_OTLP_TIMEOUT',
        10_000,
        warnings,
      ),
      serviceName: get('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'gatehouse',
      resourceAttributes,
      sampler,
      samplerName,
      maxQueueSize,
      maxExportBatchSize: Math.min(
        positiveInt(get, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, warnings),
        maxQueueSize,
      ),
      scheduleDelayMs: positiveInt(get, 'OTEL_BSP_SCHEDULE_DELAY', 5_000, warnings),
    },
    warnings,
  };
}

/** The signal-specific endpoint is used as is; the generic one gets `/v1/traces` appended. */
function tracesUrl(traces: string | undefined, generic: string | undefined): string | undefined {
  if (traces !== undefined) return traces;
  if (generic === undefined) return undefined;
  return `${generic.replace(/\/+$/, '')}/v1/traces`;
}

/** `key1=value1,key2=value2`, values URL-encoded (the W3C Baggage-like format the spec uses). */
function parseKeyValueList(text: string | undefined, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined) return out;
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      if (pair.trim() !== '') warnings.push(`ignored "${pair.trim()}": expected key=value`);
      continue;
    }
    try {
      out[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      warnings.push(`ignored "${pair.trim()}": not URL-encoded`);
    }
  }
  return out;
}

function samplerFrom(
  name: string | undefined,
  arg: string | undefined,
  warnings: string[],
): { sampler: SamplerSpec; name: string } {
  const ratio = (): number => {
    const value = arg === undefined ? 1 : Number(arg);
    if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
    warnings.push(`OTEL_TRACES_SAMPLER_ARG=${arg}: expected a ratio between 0 and 1; using 1`);
    return 1;
  };
  const chosen = name ?? 'parentbased_always_on';
  const parentBased = chosen.startsWith('parentbased_');
  switch (parentBased ? chosen.slice('parentbased_'.length) : chosen) {
    case 'always_on':
      return { sampler: { root: 'always_on', parentBased }, name: chosen };
    case 'always_off':
      return { sampler: { root: 'always_off', parentBased }, name: chosen };
    case 'traceidratio': {
      const r = ratio();
      return { sampler: { root: 'traceidratio', ratio: r, parentBased }, name: `${chosen}(${r})` };
    }
    default:
      warnings.push(`OTEL_TRACES_SAMPLER=${name}: unknown sampler; using parentbased_always_on`);
      return { sampler: { root: 'always_on', parentBased: true }, name: 'parentbased_always_on' };
  }
}

function positiveInt(
  get: (name: string) => string | undefined,
  name: string,
  fallback: number,
  warnings: string[],
): number {
  const raw = get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  warnings.push(`${name}=${raw}: expected a positive integer; using ${fallback}`);
  return fallback;
}
