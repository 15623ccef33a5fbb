import type { ConfigProblem } from '../config/problems.js';
import type { AccessLogEntry } from './access-log.js';
import { EventBus } from './event-bus.js';
import type { Tracing } from './tracing/tracing.js';

/** A remote key set fetch, as observed by the authorizer that uses the set. */
export interface KeySetFetchEvent {
  readonly authorizer: string;
  readonly url: string;
  readonly outcome: 'ok' | 'error';
}

export interface ConfigReloadEvent {
  readonly outcome: 'ok' | 'refused';
  /** Why a reload was refused (the web console shows them; docs/CONSOLE.md). */
  readonly problems?: readonly ConfigProblem[];
}

/**
 * What the runtime-neutral core reports to, carried on the Platform. Everything here is decided
 * once when the process (or isolate) starts: with no subscriber and no tracing, the request
 * path does not touch it beyond `accessLog.active` (docs/OBSERVABILITY.md "Cost when off").
 */
export interface Telemetry {
  /** One entry per request, published at the gateway's exit. */
  readonly accessLog: EventBus<AccessLogEntry>;
  /** Remote key set fetches (success or failure), per authorizer. */
  readonly keySetFetches: EventBus<KeySetFetchEvent>;
  /** Every config reload attempt of a running gateway (file change, KV refresh), with its outcome. */
  readonly configReloads: EventBus<ConfigReloadEvent>;
  /** Present only when a trace exporter is configured (OTEL_EXPORTER_OTLP_* variables). */
  readonly tracing: Tracing | undefined;
}

export function createTelemetry(
  tracing: Tracing | undefined,
  onListenerError: (error: unknown) => void = () => undefined,
): Telemetry {
  return {
    accessLog: new EventBus<AccessLogEntry>(onListenerError),
    keySetFetches: new EventBus<KeySetFetchEvent>(onListenerError),
    configReloads: new EventBus<ConfigReloadEvent>(onListenerError),
    tracing,
  };
}
