/**
 * This system's administrators: accounts kept by the system itself, and signing in — the system
 * issues its own administrator's token (signed with its key, for the gateway its administrators use),
 * exactly as `mcx token --role admin` does. Every attempt is audited; wrong passwords lock the
 * account for a while (domain/administrators.ts).
 */
import { AFTER_SUCCESS, afterFailure, checkPassword, checkUsername, isLocked } from '../../../domain/administrators.js';
import { decideOwnerOnly, requireAllowed, type EffectiveAccess } from '../../../domain/access.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import type { Principal } from '../../../domain/model.js';
import { hashPassword, verifyPassword } from '../../../identity/passwords.js';
import { gatewayIssuer, issueCallerToken, MAX_TOKEN_LIFETIME_S } from '../../../identity/tokens.js';
import type { Store } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import type { SystemIdentity } from './system-identity.js';

export interface SignedIn {
  token: string;
  expiresAt: Date;
  subject: string;
}

/** One answer for every failed sign-in: it does not tell which of the two was wrong. */
const WRONG = 'unknown username or wrong password';

export class AdministratorsService {
  constructor(
    private readonly identity: SystemIdentity,
    private readonly store: Store,
    private readonly audit: AuditLog,
    /** The id of the gateway this system's administrators use (the tokens' audience). */
    private readonly gatewayId: () => string | null,
  ) {}

  /** Creates an administrator account or sets its password (the system's own administrators, or the system itself). */
  async set(access: EffectiveAccess, principal: Principal, username: string, password: string): Promise<string> {
    return this.audit.audited(principal, 'admin.set', `admin:${username}`, async (trx) => {
      requireAllowed(decideOwnerOnly(access, 'manage its administrators'));
      await this.setIn(trx, username, password);
      return username;
    });
  }

  /** The same in the caller's transaction (the demo seed). */
  async setIn(store: Store, username: string, password: string): Promise<void> {
    for (const verdict of [checkUsername(username), checkPassword(password)]) if (!verdict.ok) throw new McxError(verdict.code, verdict.reason);
    const now = new Date();
    const existing = await store.administrators.get(username);
    await store.administrators.save({ username, passwordHash: await hashPassword(password), ...AFTER_SUCCESS, createdAt: existing?.createdAt ?? now, updatedAt: now });
  }

  async remove(access: EffectiveAccess, principal: Principal, username: string): Promise<boolean> {
    return this.audit.audited(principal, 'admin.remove', `admin:${username}`, async (trx) => {
      requireAllowed(decideOwnerOnly(access, 'manage its administrators'));
      if (!(await trx.administrators.remove(username))) throw new McxError(ErrorCode.NOT_FOUND, `no administrator ${username}`);
      return true;
    });
  }

  /** Checks the password and issues the administrator's token (8 hours). */
  async signIn(username: string, password: string): Promise<SignedIn> {
    const principal: Principal = { system: this.identity.slug, kind: 'admin', subject: username.slice(0, 100) };
    const target = `admin:${principal.subject}`;
    const now = new Date();
    const account = await this.store.administrators.get(username);
    if (account && isLocked(account, now)) {
      await this.audit.record(principal, { action: 'admin.signIn', target, result: 'DENIED', code: ErrorCode.UNAUTHENTICATED, detail: 'locked after repeated wrong passwords' });
      throw new McxError(ErrorCode.UNAUTHENTICATED, `too many wrong passwords: try again after ${account.lockedUntil!.toISOString()}`);
    }
    const valid = account !== undefined && (await verifyPassword(password, account.passwordHash));
    if (!valid) {
      if (account) await this.store.administrators.save({ ...account, ...afterFailure(account, now), updatedAt: now });
      await this.audit.record(principal, { action: 'admin.signIn', target, result: 'DENIED', code: ErrorCode.UNAUTHENTICATED, detail: WRONG });
      throw new McxError(ErrorCode.UNAUTHENTICATED, WRONG);
    }
    const gatewayId = this.gatewayId();
    if (gatewayId === null) throw new McxError(ErrorCode.BAD_REQUEST, `${this.identity.slug} knows no gateway to issue tokens for (--outbound-gateway)`);
    if (account.failedAttempts > 0) await this.store.administrators.save({ ...account, ...AFTER_SUCCESS, updatedAt: now });
    const lifetimeSeconds = MAX_TOKEN_LIFETIME_S.admin;
    const token = await issueCallerToken(this.identity.keys.current.privateKey, { system: this.identity.slug, kind: 'admin', subject: username, audience: gatewayIssuer(gatewayId), lifetimeSeconds });
    await this.audit.record(principal, { action: 'admin.signIn', target, result: 'OK' });
    return { token, expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000), subject: username };
  }
}
