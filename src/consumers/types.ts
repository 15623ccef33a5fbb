/**
 * A consumer (docs/TRAFFIC.md "API keys"): who an API key belongs to. Set on the request by the
 * `api_key` authorizer; `$request.consumer.name` and `$request.consumer.metadata.KEY` read it in
 * mapping and rate-limit keys, and its `rateLimit` policies apply to its requests.
 */
export interface Consumer {
  readonly name: string;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
  /** Policy names from `consumers.NAME.rate_limit` (validated against `rate_limits`). */
  readonly rateLimit: readonly string[];
}
