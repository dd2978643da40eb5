/** Every administrative step, including refused ones, is written to the owning system's audit log. */
import { ErrorCode, isMcxError } from '../../../domain/errors.js';
import type { EffectiveAccess } from '../../../domain/access.js';
import { mayUse } from '../../../domain/access.js';
import type { AuditRecord, AuditResult, Principal } from '../../../domain/model.js';
import type { Store } from '../store/store.js';

const DENIAL_CODES: ReadonlySet<string> = new Set([
  ErrorCode.FORBIDDEN,
  ErrorCode.FORBIDDEN_FIELD,
  ErrorCode.FORBIDDEN_PARTNER_VIEW,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.MESSAGE_INVALID,
  ErrorCode.MESSAGE_STALE,
  ErrorCode.MESSAGE_REPLAYED,
  ErrorCode.PARTNER_KEY_UNKNOWN,
  ErrorCode.PARTNER_KEY_MISMATCH,
  ErrorCode.MESSAGE_OUT_OF_ORDER,
  ErrorCode.FINGERPRINT_MISMATCH,
  ErrorCode.FINGERPRINT_NOT_CONFIRMED,
  ErrorCode.FOREIGN_MEMBER,
  ErrorCode.NOT_GROUP_HOME,
  ErrorCode.NOT_PARTICIPANT,
]);

export function resultOf(error: unknown): { result: AuditResult; code: string; detail: string } {
  if (isMcxError(error)) {
    return { result: DENIAL_CODES.has(error.code) ? 'DENIED' : 'FAILED', code: error.code, detail: error.message };
  }
  return { result: 'FAILED', code: ErrorCode.INTERNAL, detail: 'internal error' };
}

export class AuditLog {
  constructor(private readonly store: Store) {}

  async record(
    principal: Principal,
    entry: { action: string; target: string; result: AuditResult; code?: string | null; detail?: string | null },
    store: Store = this.store,
  ): Promise<void> {
    await store.audit.append({
      at: new Date(),
      actorSystem: principal.system,
      actorKind: principal.kind,
      actorSubject: principal.subject,
      action: entry.action,
      target: entry.target,
      result: entry.result,
      code: entry.code ?? null,
      detail: entry.detail ?? null,
    });
  }

  /** Audits a step that failed before its transaction began (the error is then thrown on by the caller). */
  async recordFailure(principal: Principal, action: string, target: string, error: unknown): Promise<void> {
    const { result, code, detail } = resultOf(error);
    await this.record(principal, { action, target, result, code, detail });
  }

  /**
   * Runs a change in one transaction together with its audit entry. A refused or failed change
   * leaves nothing behind but an audit entry saying so.
   */
  async audited<T>(principal: Principal, action: string, target: string, work: (store: Store) => Promise<T>): Promise<T> {
    try {
      return await this.store.transaction(async (trx) => {
        const result = await work(trx);
        await this.record(principal, { action, target, result: 'OK' }, trx);
        return result;
      });
    } catch (error) {
      await this.recordFailure(principal, action, target, error);
      throw error;
    }
  }

  /** The owner reads everything; a partner with AUDIT_READ reads the entries of its own actions. */
  async list(
    access: EffectiveAccess,
    filter: { result: AuditResult | null; beforeId: number | null; limit: number },
  ): Promise<AuditRecord[]> {
    const actorSystem = access.isOwner ? null : access.partner;
    if (!access.isOwner && !mayUse(access, 'AUDIT_READ').allowed) return [];
    return this.store.audit.list({ ...filter, actorSystem });
  }
}
