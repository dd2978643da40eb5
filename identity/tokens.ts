/**
 * Tokens (JWT, EdDSA over Ed25519):
 * - caller tokens, presented to a gateway: an administrator's token issued by their system, or a
 *   system's own machine token; both signed with the issuing system's key, audience = the gateway.
 * - caller assertions, forwarded by a gateway to a subgraph: who is calling, signed by the gateway,
 *   audience = that subgraph, valid for a minute.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ErrorCode, McxError } from '../domain/errors.js';
import type { CallerKind, Principal } from '../domain/model.js';

export const MAX_TOKEN_LIFETIME_S: Record<CallerKind, number> = {
  system: 300,
  admin: 12 * 3600,
};
export const ASSERTION_LIFETIME_S = 60;
const CLOCK_TOLERANCE_S = 5;

export const systemIssuer = (slug: string): string => `mcx:${slug}`;
export const gatewayIssuer = (gatewayId: string): string => `mcx-gateway:${gatewayId}`;
export const subgraphAudience = (slug: string): string => `mcx-subgraph:${slug}`;

interface McxClaims extends JWTPayload {
  mcx_kind?: unknown;
  mcx_sys?: unknown;
}

export interface CallerTokenRequest {
  system: string;
  kind: CallerKind;
  subject: string;
  audience: string;
  lifetimeSeconds?: number;
}

export async function issueCallerToken(privateKey: KeyObject, request: CallerTokenRequest): Promise<string> {
  const lifetime = request.lifetimeSeconds ?? MAX_TOKEN_LIFETIME_S[request.kind];
  if (lifetime > MAX_TOKEN_LIFETIME_S[request.kind] || lifetime <= 0) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `a ${request.kind} token lives at most ${MAX_TOKEN_LIFETIME_S[request.kind]} s`);
  }
  const subject = request.kind === 'system' ? request.system : request.subject;
  return new SignJWT({ mcx_kind: request.kind })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(systemIssuer(request.system))
    .setSubject(subject)
    .setAudience(request.audience)
    .setIssuedAt()
    .setExpirationTime(`${lifetime}s`)
    .setJti(randomUUID())
    .sign(privateKey);
}

function mapJoseError(error: unknown, what: string): McxError {
  if (error instanceof McxError) return error;
  if (error instanceof joseErrors.JWTExpired) {
    return new McxError(ErrorCode.TOKEN_EXPIRED, `${what} has expired`);
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') {
    return new McxError(ErrorCode.TOKEN_WRONG_AUDIENCE, `${what} is meant for another audience`);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new McxError(ErrorCode.TOKEN_INVALID, `${what} has an invalid signature`);
  }
  return new McxError(ErrorCode.TOKEN_INVALID, `${what} is not valid`);
}

/** A token must say when it was issued, not claim to be issued in the future, and live at most `maxSeconds` from now. */
function checkLifetime(payload: JWTPayload, maxSeconds: number, what: string, code: ErrorCode = ErrorCode.TOKEN_INVALID): void {
  const now = Math.floor(Date.now() / 1000);
  if (
    typeof payload.iat !== 'number' ||
    typeof payload.exp !== 'number' ||
    payload.exp - payload.iat > maxSeconds ||
    payload.iat > now + CLOCK_TOLERANCE_S ||
    payload.exp > now + maxSeconds + CLOCK_TOLERANCE_S
  ) {
    throw new McxError(code, `${what} must say when it was issued (not in the future) and live at most ${maxSeconds} s`);
  }
}

/** The issuing system of a caller token, read before its signature is checked (to pick the key). */
export function claimedIssuerSystem(token: string): string {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    throw new McxError(ErrorCode.TOKEN_INVALID, 'the bearer token is not a JWT');
  }
  const issuer = payload.iss ?? '';
  if (!issuer.startsWith('mcx:')) {
    throw new McxError(ErrorCode.TOKEN_INVALID, 'the bearer token was not issued by an MCX system');
  }
  return issuer.slice(4);
}

export interface VerifiedToken {
  principal: Principal;
  expiresAt: number;
  /** The issuer's key that verified it (the current one, or the previous one during a rotation's grace period). */
  key: KeyObject;
}

/**
 * Verifies a caller token with the public keys of the system that claims to have issued it: its
 * current key, and during the grace period of a key rotation the previous one.
 */
export async function verifyCallerToken(
  token: string,
  options: { audience: string; keysOf: (system: string) => KeyObject[] },
): Promise<VerifiedToken> {
  const system = claimedIssuerSystem(token);
  const keys = options.keysOf(system);
  if (keys.length === 0) {
    throw new McxError(ErrorCode.TOKEN_UNKNOWN_ISSUER, `the token's issuer "${system}" is not a system this gateway knows`);
  }
  let payload: McxClaims | undefined;
  let verifiedWith = keys[0]!;
  for (const [index, key] of keys.entries()) {
    verifiedWith = key;
    try {
      ({ payload } = await jwtVerify<McxClaims>(token, key, {
        algorithms: ['EdDSA'],
        issuer: systemIssuer(system),
        audience: options.audience,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'iat', 'exp'],
      }));
      break;
    } catch (error) {
      const otherKey = (error as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' && index < keys.length - 1;
      if (!otherKey) throw mapJoseError(error, 'the bearer token');
    }
  }
  if (payload === undefined) throw new McxError(ErrorCode.TOKEN_INVALID, 'the bearer token is not valid');
  const kind = payload.mcx_kind;
  if (kind !== 'admin' && kind !== 'system') {
    throw new McxError(ErrorCode.TOKEN_INVALID, 'the bearer token does not say whether it is an administrator or a system');
  }
  checkLifetime(payload, MAX_TOKEN_LIFETIME_S[kind], `a ${kind} token`);
  if (kind === 'system' && payload.sub !== system) {
    throw new McxError(ErrorCode.TOKEN_INVALID, 'a system token must name its own system as subject');
  }
  return {
    principal: { system, kind, subject: payload.sub as string },
    expiresAt: (payload.exp as number) * 1000,
    key: verifiedWith,
  };
}

export async function issueAssertion(
  gatewayKey: KeyObject,
  request: { gatewayId: string; subgraph: string; principal: Principal; lifetimeSeconds?: number },
): Promise<string> {
  return new SignJWT({ mcx_sys: request.principal.system, mcx_kind: request.principal.kind })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'mcx-assertion+jwt' })
    .setIssuer(gatewayIssuer(request.gatewayId))
    .setSubject(request.principal.subject)
    .setAudience(subgraphAudience(request.subgraph))
    .setIssuedAt()
    .setExpirationTime(`${request.lifetimeSeconds ?? ASSERTION_LIFETIME_S}s`)
    .sign(gatewayKey);
}

export interface TrustedGateway {
  id: string;
  publicKey: KeyObject;
}

export interface VerifiedAssertion extends Omit<VerifiedToken, 'key'> {
  gateway: string;
}

/** A subgraph accepts a caller assertion only from a gateway it trusts, and only one meant for it. */
export async function verifyAssertion(
  token: string,
  options: { subgraph: string; trusted: TrustedGateway[] },
): Promise<VerifiedAssertion> {
  let claimed: JWTPayload;
  try {
    claimed = decodeJwt(token);
  } catch {
    throw new McxError(ErrorCode.ASSERTION_UNTRUSTED, 'the caller assertion is not a JWT');
  }
  const gateway = options.trusted.find((g) => gatewayIssuer(g.id) === claimed.iss);
  if (gateway === undefined) {
    throw new McxError(ErrorCode.ASSERTION_UNTRUSTED, 'the caller assertion does not come from a gateway this system trusts');
  }
  let payload: McxClaims;
  try {
    ({ payload } = await jwtVerify<McxClaims>(token, gateway.publicKey, {
      algorithms: ['EdDSA'],
      issuer: gatewayIssuer(gateway.id),
      audience: subgraphAudience(options.subgraph),
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['sub', 'iat', 'exp'],
    }));
  } catch (error) {
    const mapped = mapJoseError(error, 'the caller assertion');
    throw mapped.code === ErrorCode.TOKEN_INVALID ? new McxError(ErrorCode.ASSERTION_UNTRUSTED, mapped.message) : mapped;
  }
  checkLifetime(payload, ASSERTION_LIFETIME_S, 'a caller assertion', ErrorCode.ASSERTION_UNTRUSTED);
  const kind = payload.mcx_kind;
  const system = payload.mcx_sys;
  if ((kind !== 'admin' && kind !== 'system') || typeof system !== 'string') {
    throw new McxError(ErrorCode.ASSERTION_UNTRUSTED, 'the caller assertion does not say who is calling');
  }
  return {
    gateway: gateway.id,
    principal: { system, kind, subject: payload.sub as string },
    expiresAt: (payload.exp as number) * 1000,
  };
}
