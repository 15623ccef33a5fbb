import { expect } from 'vitest';
import { inlineConfigSource, startGatehouse } from '../../src/adapters/node/start-gatehouse.js';
import { createJsonLogger, type Logger } from '../../src/observability/logger.js';
import { startRecordingUpstream, type RecordingUpstream } from '../fixtures/recording-upstream.js';
import { rawRequest, type RawResponse } from '../helpers/raw-http.js';

/**
 * One Node gateway (assembled as `gatehouse start` assembles it) in front of one recording
 * upstream, for the hostile-input regression files: each sends raw bytes and checks both the
 * answer and what the upstream received.
 */
export interface HostileSetup {
  readonly url: string;
  readonly host: string;
  readonly upstream: RecordingUpstream;
  /** `METHOD TARGET HTTP/1.1` with Host and Connection: close, plus `headers` lines, then `body`. */
  send(method: string, target: string, headers?: readonly string[], body?: string): Promise<RawResponse>;
  /** Exactly these bytes. */
  raw(text: string, timeoutMs?: number): Promise<RawResponse>;
  close(): Promise<void>;
}

export async function startHostileSetup(
  makeConfig: (upstreamUrl: string) => object,
  options: { logger?: Logger; env?: Record<string, string> } = {},
): Promise<HostileSetup> {
  const upstream = await startRecordingUpstream();
  const running = await startGatehouse({
    source: inlineConfigSource(makeConfig(upstream.url)),
    env: options.env ?? {},
    port: 0,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const host = new URL(running.url).host;
  return {
    url: running.url,
    host,
    upstream,
    send: (method, target, headers = [], body = '') =>
      rawRequest(
        running.url,
        `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n${headers.map((h) => `${h}\r\n`).join('')}${body === '' ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`}Connection: close\r\n\r\n${body}`,
      ),
    raw: (text, timeoutMs) => rawRequest(running.url, text, timeoutMs),
    close: async () => {
      await running.close(500);
      await upstream.close();
    },
  };
}

/** The usual setup: one public wildcard route `/public/{.+}` proxied to the recording upstream. */
export function startPublicProxy(gateway: object = {}): Promise<HostileSetup> {
  return startHostileSetup((upstream) => ({
    servers: [{ alias: 'up', url: upstream }],
    gateway,
    paths: [{ method: 'ANY', path: '/public/{.+}', integration: { type: 'http_proxy', server: 'up' } }],
  }));
}

/** A GET of `target` is refused with the 400 catalogue row and the upstream received nothing. */
export async function expectBadRequestNothingForwarded(gw: HostileSetup, target: string): Promise<void> {
  const response = await gw.send('GET', target);
  expect(response.status, target).toBe(400);
  expect(bodyOf(response)).toEqual({ error: 'Bad request', code: 'ERR_BAD_REQUEST' });
  expect(response.headers['x-request-id']).toBeTruthy();
  expect(gw.upstream.requests).toHaveLength(0);
}

/** The catalogue body of a code, parsed. */
export function bodyOf(response: RawResponse): unknown {
  return JSON.parse(response.body);
}

/** A logger that keeps every line, to check what the access log recorded. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createJsonLogger(
    'debug',
    (line) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return { logger, lines };
}
