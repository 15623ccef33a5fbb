import { SignJWT, type JWTPayload } from 'jose';
import { CONFORMANCE_AUDIENCE, CONFORMANCE_ISSUER, CONFORMANCE_SECRET } from '../conformance/config.js';

/** An HS256 token the conformance config's authorizer accepts, with extra claims merged in. */
export function conformanceToken(
  claims: JWTPayload = {},
  expiresIn: string | number = '5m',
): Promise<string> {
  return new SignJWT({ sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(CONFORMANCE_ISSUER)
    .setAudience(CONFORMANCE_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(CONFORMANCE_SECRET));
}

/** The authorizer that accepts conformanceToken's tokens, with its secret inline (no `$secret`). */
export const CONFORMANCE_JWT_AUTHORIZER = {
  type: 'jwt',
  secret: CONFORMANCE_SECRET,
  algorithm: 'HS256',
  issuer: CONFORMANCE_ISSUER,
  audience: CONFORMANCE_AUDIENCE,
} as const;
