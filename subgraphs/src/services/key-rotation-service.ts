/**
 * Rotating this system's signing key. The new key is prepared beside the current one; in one
 * transaction every system it has an agreement with is told (a `rotate` message carrying the
 * new key and a certificate signed with the current key) and the step is audited; after the commit
 * the new key is put in use. Partners accept the new key because the old one vouched for it, and keep
 * accepting the old one until the end of the grace period; so does the gateway for this system's
 * tokens (the previous key is published next to the current one). A crash between the commit and
 * the switch is completed at the next start (the feed says whether the partners were told).
 */
import { decideOwnerOnly, requireAllowed, type EffectiveAccess } from '../../../domain/access.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import type { Principal } from '../../../domain/model.js';
import type { AgreementMessage } from '../../../domain/agreement-lifecycle.js';
import { signRotation } from '../../../identity/key-rotation.js';
import type { Store } from '../store/store.js';
import type { AgreementsService } from './agreements-service.js';
import type { AuditLog } from './audit-log.js';
import type { SystemIdentity } from './system-identity.js';

export const MAX_GRACE_SECONDS = 7 * 86_400;

export interface RotationResult {
  fingerprint: string;
  previousFingerprint: string;
  previousValidUntil: Date;
  partnersTold: string[];
}

export class KeyRotationService {
  constructor(
    private readonly identity: SystemIdentity,
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly agreements: AgreementsService,
  ) {}

  async rotate(access: EffectiveAccess, principal: Principal, graceSeconds: number): Promise<RotationResult> {
    const keys = this.identity.keys;
    let prepared = false;
    try {
      return await this.audit.audited(principal, 'key.rotate', `key:${this.identity.slug}`, async (store) => {
        requireAllowed(decideOwnerOnly(access, 'rotate its key'));
        if (!Number.isInteger(graceSeconds) || graceSeconds < 1 || graceSeconds > MAX_GRACE_SECONDS) {
          throw new McxError(ErrorCode.BAD_USER_INPUT, `the grace period is 1 to ${MAX_GRACE_SECONDS} seconds`, { field: 'graceSeconds' });
        }
        const previous = keys.current;
        const next = keys.prepare();
        prepared = true;
        const previousValidUntil = new Date(Date.now() + graceSeconds * 1000);
        const certificate = await signRotation(previous.privateKey, { system: this.identity.slug, publicKeyPem: next.publicKeyPem, previousValidUntil: previousValidUntil.toISOString() });
        const partnersTold = await this.agreements.announceRotation(store, { kind: 'rotate', publicKey: next.publicKeyPem, previousValidUntil: previousValidUntil.toISOString(), certificate });
        store.afterCommit(() => keys.complete(previousValidUntil));
        return { fingerprint: next.fingerprint, previousFingerprint: previous.fingerprint, previousValidUntil, partnersTold };
      });
    } catch (error) {
      if (prepared) keys.abandon();
      throw error;
    }
  }

  /** At start: completes a rotation the partners were told of before a crash, or drops a key never announced. */
  async recover(): Promise<void> {
    const keys = this.identity.keys;
    const prepared = keys.prepared();
    if (prepared === null) return;
    const latest = await this.store.feed.latestNotice('rotate');
    const event = (latest?.payload as AgreementMessage | null)?.event;
    if (event?.kind === 'rotate' && event.publicKey === prepared.publicKeyPem) {
      keys.complete(new Date(event.previousValidUntil));
    } else {
      keys.abandon();
    }
  }
}

