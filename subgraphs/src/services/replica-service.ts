/**
 * Receives what partners share: verifies each signed batch (the sender's pinned key, meant for us,
 * recent, never seen before), applies it in order exactly once to the read-only replica, and audits.
 */
import type { KeyObject } from 'node:crypto';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import type { AgreementRecord, Principal } from '../../../domain/model.js';
import { planApply, type SharedGroup, type SharedUser } from '../../../domain/sharing.js';
import { publicKeyFromPem } from '../../../identity/keys.js';
import { claimedSender, MESSAGE_MAX_AGE_S, verifyEnvelope } from '../../../identity/envelopes.js';
import type { FeedEntry } from '../store/feed-store.js';
import type { ReplicaCursor } from '../store/replica-store.js';
import type { Store } from '../store/store.js';
import type { AgreementMessage } from '../../../domain/agreement-lifecycle.js';
import { peekEnvelopeBody } from '../../../identity/envelopes.js';
import { verifyRotation } from '../../../identity/key-rotation.js';
import type { RequestMessage } from '../../../domain/requests.js';
import type { JointGroupMessage } from '../../../domain/joint-groups.js';
import type { AgreementsService } from './agreements-service.js';
import type { RequestsService } from './requests-service.js';
import type { JointGroupsService } from './joint-groups-service.js';
import type { AuditLog } from './audit-log.js';

export const FEED_BATCH = 'feed.batch';

export interface FeedBatch {
  /** The entry the partner must already have (0: from the start). */
  afterSeq: number;
  entries: FeedEntry[];
}

export interface Receipt {
  appliedThrough: number;
  applied: number;
}

export class ReplicaService {
  /** Parsed pinned keys, by PEM text. */
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly owner: string,
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly agreements: AgreementsService,
    private readonly requests: RequestsService,
    private readonly jointGroups: JointGroupsService,
  ) {}

  /**
   * The keys a sender's message may be signed with, in the order they are tried: the key pinned for
   * it here; during the grace period of its last rotation, the key that one replaced; the new key of
   * a rotation the message itself announces, when the pinned key vouches for it; or, from a system
   * with no pinned key, the key its proposal carries (an administrator confirms that key's
   * fingerprint before the agreement can become active). With a pinned key, a proposal's key is
   * never used; a proposal naming another key is refused when it is applied (PARTNER_KEY_MISMATCH).
   * The message body is only looked into when the keys before have not verified it.
   */
  private async *senderKeys(envelope: string, sender: string, agreement: AgreementRecord | undefined, now: Date): AsyncGenerator<string> {
    const events = () => {
      const entries = peekEnvelopeBody<FeedBatch>(envelope)?.entries;
      return (Array.isArray(entries) ? entries : []).map((e) => (e?.entity === 'agreement' ? (e.payload as AgreementMessage | null)?.event : undefined));
    };
    const pinned = agreement?.partnerPublicKey ?? null;
    if (pinned === null) {
      const proposal = events().find((e) => e?.kind === 'propose');
      const offered = proposal?.kind === 'propose' ? proposal.card?.publicKey : undefined;
      if (typeof offered !== 'string') throw new McxError(ErrorCode.PARTNER_KEY_UNKNOWN, `${this.owner} has no pinned key of ${sender}, and the message carries no proposal with one`);
      yield offered;
      return;
    }
    yield pinned;
    const previous = agreement?.partnerPreviousKey;
    if (previous && previous.validUntil.getTime() > now.getTime()) yield previous.publicKey;
    const rotation = events().find((e) => e?.kind === 'rotate');
    if (rotation?.kind === 'rotate' && typeof rotation.certificate === 'string') {
      const vouched = await verifyRotation(rotation.certificate, this.keyFrom(pinned), sender).catch(() => null);
      if (vouched !== null && vouched.publicKeyPem === rotation.publicKey) yield vouched.publicKeyPem;
    }
  }

  /** Verifies the message with the first of the sender's keys that it is signed with. */
  private async verifyBatch(envelope: string, sender: string, keys: AsyncIterable<string>) {
    let refusal: unknown;
    for await (const key of keys) {
      try {
        return await verifyEnvelope<FeedBatch>(envelope, { senderKey: this.keyFrom(key), sender, receiver: this.owner, kind: FEED_BATCH });
      } catch (error) {
        // Not valid with this key: try the next (a misaddressed message fails with every key alike); a stale one is final.
        if (!(error instanceof McxError) || error.code !== ErrorCode.MESSAGE_INVALID) throw error;
        refusal = error;
      }
    }
    throw refusal;
  }

  async receive(principal: Principal, envelope: string): Promise<Receipt> {
    let sender: string | null = null;
    try {
      sender = claimedSender(envelope);
    } catch {
      // refused below, and audited under the caller's system
    }
    return this.audit.audited(principal, 'feed.apply', `replica:${sender ?? principal.system}`, async (store) => {
      if (principal.kind !== 'system') throw new McxError(ErrorCode.FORBIDDEN, 'only a partner system itself delivers shared updates');
      if (sender === null) throw new McxError(ErrorCode.MESSAGE_INVALID, 'not a signed MCX message');
      if (sender !== principal.system) {
        throw new McxError(ErrorCode.MESSAGE_INVALID, `the message says it is from ${sender}, but ${principal.system} is calling`);
      }
      const now = new Date();
      // Locked first (before any entry takes the feed's lock), as every change of the agreement does.
      const agreement = await store.agreements.getForUpdate(sender);
      const message = await this.verifyBatch(envelope, sender, this.senderKeys(envelope, sender, agreement, now));
      if (!(await store.replicas.rememberMessage(sender, message.id, now))) {
        throw new McxError(ErrorCode.MESSAGE_REPLAYED, `message ${message.id} from ${sender} was received before`);
      }
      return this.apply(store, principal, message.body, now);
    });
  }

  private async apply(store: Store, principal: Principal, batch: FeedBatch, now: Date): Promise<Receipt> {
    const sender = principal.system;
    const entries = [...batch.entries].sort((a, b) => a.seq - b.seq);
    const cursor: ReplicaCursor = (await store.replicas.cursor(sender)) ?? { partner: sender, appliedSeq: 0, appliedCount: 0, lastAppliedAt: now.toISOString() };
    const lastSeq = entries.length > 0 ? entries[entries.length - 1]!.seq : batch.afterSeq;
    const plan = planApply(cursor.appliedSeq, batch.afterSeq, lastSeq);
    if (plan.kind === 'duplicate') return { appliedThrough: cursor.appliedSeq, applied: 0 };
    if (plan.kind === 'gap') {
      throw new McxError(ErrorCode.FEED_GAP, `${this.owner} has applied ${sender}'s changes up to ${plan.resumeAfter}; send from there`, {
        resumeAfter: plan.resumeAfter,
      });
    }
    let applied = 0;
    for (const entry of entries) {
      if (entry.seq <= plan.skipThrough) continue;
      if (entry.entity === 'agreement' && entry.op === 'notify') await this.agreements.receive(store, principal, entry.payload as AgreementMessage, now);
      else if (entry.entity === 'request' && entry.op === 'notify') await this.requests.receive(store, principal, entry.payload as RequestMessage, now);
      else if (entry.entity === 'jointGroup' && entry.op === 'notify') await this.jointGroups.receive(store, principal, entry.payload as JointGroupMessage, now);
      else if (entry.op === 'reset') await store.replicas.drop(sender);
      else if (entry.op === 'upsert' && entry.entity === 'user') await store.replicas.upsert('replica_users', sender, entry.entityId, entry.payload as SharedUser, now);
      else if (entry.op === 'upsert' && entry.entity === 'group') await store.replicas.upsert('replica_groups', sender, entry.entityId, entry.payload as SharedGroup, now);
      else if (entry.op === 'delete') await store.replicas.delete(entry.entity === 'user' ? 'replica_users' : 'replica_groups', sender, entry.entityId);
      else throw new McxError(ErrorCode.BAD_USER_INPUT, `unknown change ${entry.op} of ${entry.entity}`);
      applied++;
    }
    await store.replicas.saveCursor({ partner: sender, appliedSeq: lastSeq, appliedCount: cursor.appliedCount + applied, lastAppliedAt: now.toISOString() });
    return { appliedThrough: lastSeq, applied };
  }

  private keyFrom(pem: string): KeyObject {
    let key = this.keys.get(pem);
    if (key === undefined) {
      try {
        key = publicKeyFromPem(pem);
      } catch {
        throw new McxError(ErrorCode.PARTNER_KEY_UNKNOWN, 'the key the message names is no Ed25519 public key');
      }
      this.keys.set(pem, key);
    }
    return key;
  }

  /** Drops remembered message ids that are older than any message still accepted. */
  async forgetOldMessages(now = Date.now()): Promise<void> {
    await this.store.replicas.forgetMessagesBefore(new Date(now - 2 * MESSAGE_MAX_AGE_S * 1000));
  }
}
