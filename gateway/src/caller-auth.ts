/** Verifies the caller's bearer token (an administrator's or a system's), with a cache of verified tokens. */
import { ErrorCode, McxError } from '../../domain/errors.js';
import { TtlCache } from '../../common/ttl-cache.js';
import { verifyCallerToken, type VerifiedToken } from '../../identity/tokens.js';
import type { SystemRegistry } from './system-registry.js';

export class CallerAuth {
  private readonly verified = new TtlCache<VerifiedToken>(10_000);

  constructor(
    private readonly audience: string,
    private readonly registry: SystemRegistry,
  ) {}

  /** Null when no Authorization header is sent; throws a typed error for a bad one. */
  async authenticate(authorization: string | undefined): Promise<VerifiedToken | null> {
    if (authorization === undefined || authorization === '') return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw new McxError(ErrorCode.TOKEN_INVALID, 'the Authorization header must be "Bearer <token>"');
    const token = match[1]!;
    const cached = this.verified.get(token);
    // Still good only while the key that verified it is one of the issuer's keys (not after a rotation's grace period).
    if (cached && this.registry.keysOf(cached.principal.system).includes(cached.key)) return cached;
    const result = await verifyCallerToken(token, { audience: this.audience, keysOf: (system) => this.registry.keysOf(system) });
    this.verified.set(token, result, result.expiresAt);
    return result;
  }
}
