/**
 * Server-Sent Events to the console's live tail: one stream per open page. A client that does
 * not read (its queue passes MAX_QUEUED events) is dropped rather than buffered without bound;
 * its EventSource reconnects and the page fetches the recent entries again.
 */
const MAX_QUEUED = 1000;
const HEARTBEAT_MS = 15_000;
const encoder = new TextEncoder();

interface FeedClient {
  send(text: string): void;
  close(): void;
}

export class LiveFeed {
  readonly #clients = new Set<FeedClient>();

  get size(): number {
    return this.#clients.size;
  }

  /** Sends one event (JSON data) to every open stream. */
  publish(data: unknown): void {
    if (this.#clients.size === 0) return;
    const text = `data: ${JSON.stringify(data)}\n\n`;
    for (const client of this.#clients) client.send(text);
  }

  open(headers: Readonly<Record<string, string>>): Response {
    const clients = this.#clients;
    let stop: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          const client: FeedClient = {
            send(text) {
              if ((controller.desiredSize ?? 0) < -MAX_QUEUED) return client.close();
              try {
                controller.enqueue(encoder.encode(text));
              } catch {
                client.close();
              }
            },
            close() {
              stop?.();
              try {
                controller.close();
              } catch {
                // Already closed or cancelled.
              }
            },
          };
          const heartbeat = setInterval(() => client.send(': keep-alive\n\n'), HEARTBEAT_MS);
          heartbeat.unref();
          stop = () => {
            clients.delete(client);
            clearInterval(heartbeat);
          };
          clients.add(client);
          controller.enqueue(encoder.encode('retry: 2000\n\n'));
        },
        cancel() {
          stop?.();
        },
      },
      new CountQueuingStrategy({ highWaterMark: 1 }),
    );
    return new Response(body, {
      headers: {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      },
    });
  }

  closeAll(): void {
    for (const client of [...this.#clients]) client.close();
  }
}
