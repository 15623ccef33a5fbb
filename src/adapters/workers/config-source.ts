import { isKvNamespace, type WorkerEnv } from './types.js';

/**
 * Where a Worker reads its config (docs/CONFIG.md "Loading, once"), first match wins:
 *   1. the `SAG_API_CONFIG_JSON` var, when it is a non-blank string (or a JSON object, which is
 *      what wrangler.jsonc makes of a var written as an object);
 *   2. the KV namespace bound as `CONFIG`, key `api-config.json`, re-read at most every
 *      `GATEHOUSE_KV_REFRESH_MS` (default 5 s); a missing key falls through to 3;
 *   3. the config bundled at build time, if any.
 */
export const CONFIG_VAR = 'SAG_API_CONFIG_JSON';
export const CONFIG_KV_BINDING = 'CONFIG';
export const CONFIG_KV_KEY = 'api-config.json';
export const REFRESH_VAR = 'GATEHOUSE_KV_REFRESH_MS';
export const DEFAULT_KV_REFRESH_MS = 5_000;

export interface SourcedText {
  /** For logs: which source the text came from. */
  readonly origin: string;
  /** Undefined when no source has a config at all. */
  readonly text: string | undefined;
}

export interface WorkerConfigSource {
  /** How long a read stays fresh; Infinity for sources that cannot change while the isolate lives. */
  readonly refreshMs: number;
  /** Rejects only when the source could not be read (a KV hiccup), never for a bad config. */
  read(): Promise<SourcedText>;
}

const BUNDLED = 'bundled config';
const KV = `KV ${CONFIG_KV_BINDING}/${CONFIG_KV_KEY}`;

export function resolveWorkerConfigSource(
  env: WorkerEnv,
  bundledText: string | undefined,
): WorkerConfigSource {
  const bundled: SourcedText = { origin: BUNDLED, text: bundledText };
  const inline = inlineText(env[CONFIG_VAR]);
  if (inline !== undefined) return constant({ origin: CONFIG_VAR, text: inline });
  const kv = env[CONFIG_KV_BINDING];
  if (isKvNamespace(kv)) {
    return {
      refreshMs: refreshInterval(env[REFRESH_VAR]),
      read: async () => {
        const text = await kv.get(CONFIG_KV_KEY, 'text');
        return text === null ? bundled : { origin: KV, text };
      },
    };
  }
  return constant(bundled);
}

function constant(sourced: SourcedText): WorkerConfigSource {
  const read = Promise.resolve(sourced);
  return { refreshMs: Infinity, read: () => read };
}

function inlineText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'object' && value !== null && !isKvNamespace(value)) return JSON.stringify(value);
  return undefined;
}

function refreshInterval(value: unknown): number {
  const ms = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_KV_REFRESH_MS;
}
