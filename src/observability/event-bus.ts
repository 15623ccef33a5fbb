/**
 * A tiny in-process publish/subscribe channel. The gateway publishes one access-log entry per
 * request; the Prometheus metrics, the Workers Analytics Engine writer (and later the web
 * console's live feed) subscribe. Publishing with no subscriber costs one length check, so the
 * exit only builds an entry when someone listens.
 */
export class EventBus<T> {
  #listeners: ((event: T) => void)[] = [];
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => undefined) {
    this.#onListenerError = onListenerError;
  }

  /** True when at least one listener is subscribed. */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /** Returns the function that unsubscribes this listener. */
  subscribe(listener: (event: T) => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Delivers synchronously; a listener that throws never affects the request or other listeners. */
  publish(event: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
