import { SignJWT, type JWTPayload } from 'jose';

/** A config for the console tests: routes whose precedence differs from their config order. */
export const CONSOLE_SECRET = 'console-test-secret-0123456789abcdef';
export const CONSOLE_ISSUER = 'https://issuer.console.test';
export const CONSOLE_AUDIENCE = 'console-api';

export function consoleConfig(extraGateway: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Console test API',
    servers: [{ alias: 'orders-service', url: 'http://127.0.0.1:9/orders' }],
    authorizer: {
      type: 'jwt',
      secret: CONSOLE_SECRET,
      algorithm: 'HS256',
      issuer: CONSOLE_ISSUER,
      audience: CONSOLE_AUDIENCE,
    },
    gateway: extraGateway,
    rate_limits: { per_ip: { limit: 1000, window_s: 60, key: ['$request.ip'] } },
    paths: [
      { method: 'ANY', path: '/orders/{.+}', integration: { type: 'http_proxy', server: 'orders-service' } },
      { method: 'GET', path: '/orders/{id}', auth: true, scopes: ['orders:read'], response: { id: 'x' } },
      { method: 'GET', path: '/orders/new', response: { form: true } },
      { method: 'GET', path: '/health', rate_limit: 'per_ip', response: { status: 'ok' } },
      { method: 'POST', path: '/orders', auth: true, response: { created: true }, status: 201 },
    ],
  };
}

export function consoleToken(claims: JWTPayload = {}, expiresIn: string | number = '10m'): Promise<string> {
  return new SignJWT({ sub: 'user-7', scope: 'orders:read', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(CONSOLE_ISSUER)
    .setAudience(typeof claims.aud === 'string' ? claims.aud : CONSOLE_AUDIENCE)
    .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(CONSOLE_SECRET));
}
