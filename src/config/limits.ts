/** Request limits of `gateway` (ext) in the config, with their defaults (docs/CONFIG.md). */
export interface GatewayLimits {
  readonly maxBodyBytes: number;
  readonly maxUrlLength: number;
  readonly maxConcurrentRequests: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 10 * 1024 * 1024,
  maxUrlLength: 8 * 1024,
  maxConcurrentRequests: 10_000,
};
