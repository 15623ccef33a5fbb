import { connect, type Socket } from 'node:net';
import type { SessionStore } from '../../session/server-store.js';

/**
 * Browser sessions on a Redis server (`session.store: {"type": "redis", "url": …}`), spoken
 * over RESP2 with three commands — GET, SET … EX, DEL — on one lazily opened connection per URL
 * (pipelined: replies come back in order). `redis://[user:password@]host:port[/db]`. A broken
 * connection fails the commands in flight (the request answers 500; nothing is half-written)
 * and the next command reconnects. Each command has a deadline of COMMAND_TIMEOUT_MS.
 */
const COMMAND_TIMEOUT_MS = 2000;

type Reply = string | number | null | Error;

interface Pending {
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
}

class RedisConnection {
  private socket: Socket | undefined;
  private ready: Promise<void> | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];

  constructor(private readonly url: URL) {}

  async command(args: readonly string[]): Promise<Reply> {
    await this.open();
    return this.send(args);
  }

  private open(): Promise<void> {
    if (this.ready) return this.ready;
    const ready = new Promise<void>((resolve, reject) => {
      const socket = connect({ host: this.url.hostname, port: Number(this.url.port || 6379) });
      socket.setNoDelay(true);
      this.socket = socket;
      socket.once('connect', () => resolve());
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      socket.once('error', (error) => {
        reject(error);
        this.fail(error);
      });
      socket.once('close', () => this.fail(new Error('redis connection closed')));
    }).then(async () => {
      const password = decodeURIComponent(this.url.password);
      if (password) {
        const user = decodeURIComponent(this.url.username);
        expectOk(await this.send(user ? ['AUTH', user, password] : ['AUTH', password]));
      }
      const db = this.url.pathname.slice(1);
      if (db) expectOk(await this.send(['SELECT', db]));
    });
    this.ready = ready;
    ready.catch(() => undefined);
    return ready;
  }

  private send(args: readonly string[]): Promise<Reply> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('redis connection not open'));
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`redis did not answer within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.push({
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.write(encode(args));
    });
  }

  /** Fails everything in flight and forgets the connection: the next command reconnects. */
  private fail(error: Error): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.ready = undefined;
    this.buffer = Buffer.alloc(0);
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseReply(this.buffer, 0);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.end);
      this.pending.shift()?.resolve(parsed.reply);
    }
  }

  close(): void {
    this.socket?.end();
  }
}

function encode(args: readonly string[]): Buffer {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return Buffer.from(text);
}

/** One RESP2 reply at `start`, or undefined when the buffer does not hold all of it yet. */
function parseReply(buffer: Buffer, start: number): { reply: Reply; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start] ?? 0);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  if (type === '+') return { reply: line, end: lineEnd + 2 };
  if (type === '-') return { reply: new Error(line), end: lineEnd + 2 };
  if (type === ':') return { reply: Number(line), end: lineEnd + 2 };
  if (type === '$') {
    const length = Number(line);
    if (length < 0) return { reply: null, end: lineEnd + 2 };
    const end = lineEnd + 2 + length;
    if (buffer.length < end + 2) return undefined;
    return { reply: buffer.toString('utf8', lineEnd + 2, end), end: end + 2 };
  }
  // The three commands never answer arrays; anything else means the stream is not Redis.
  return { reply: new Error(`unexpected redis reply type ${JSON.stringify(type)}`), end: buffer.length };
}

function expectOk(reply: Reply): void {
  if (reply instanceof Error) throw reply;
}

function checked(reply: Reply): Reply {
  if (reply instanceof Error) throw new Error(`redis: ${reply.message}`);
  return reply;
}

const stores = new Map<string, { store: SessionStore; connection: RedisConnection }>();

/** One store (one connection) per URL in the process. */
export function redisSessionStore(url: string): SessionStore {
  const known = stores.get(url);
  if (known) return known.store;
  const connection = new RedisConnection(new URL(url));
  const store: SessionStore = {
    async get(key) {
      const reply = checked(await connection.command(['GET', key]));
      return typeof reply === 'string' ? reply : null;
    },
    async put(key, value, ttlSeconds) {
      checked(
        await connection.command(['SET', key, value, 'EX', String(Math.max(1, Math.ceil(ttlSeconds)))]),
      );
    },
    async delete(key) {
      checked(await connection.command(['DEL', key]));
    },
  };
  stores.set(url, { store, connection });
  return store;
}

/** Closes every Redis connection (graceful shutdown, tests). */
export function closeRedisStores(): void {
  for (const { connection } of stores.values()) connection.close();
  stores.clear();
}
