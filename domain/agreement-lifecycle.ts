/**
 * The life of an interconnection agreement between two systems, as each side keeps it. Pure rules:
 * no GraphQL, no SQL, no I/O.
 *
 *   (none) --propose--> PROPOSED --accept--> ACTIVE <--resume (both sides)-- SUSPENDED
 *                          |                   |  \--suspend (either side)-->   |
 *                          +--decline--> DECLINED  \--terminate (either side)--> TERMINATED <--+
 *   ACTIVE or SUSPENDED past the end of the validity --> EXPIRED
 *
 * Each step is taken by one side ('self' here, or 'partner' when its signed message arrives) and the
 * same function decides it on both sides, so both reach the same status: the acting side applies it
 * first, then sends it to the other, which applies it on receipt (in order, exactly once: the change
 * feed). A step the rules refuse changes nothing.
 *
 * - Either side may suspend or terminate. Resuming needs both: the first side to resume asks, the
 *   other's resume makes the agreement active again.
 * - The side that did not propose accepts or declines; the proposer may withdraw (decline) its own
 *   proposal. Accepting needs this side's confirmation of the partner's key fingerprint.
 * - Each side sets only what it grants; what the partner grants arrives with its messages.
 * - DECLINED, TERMINATED and EXPIRED are final for that agreement: a new proposal starts a new one.
 * - A side that rotates its key tells every system it has an agreement with, whatever its status;
 *   the other pins the new key and accepts the previous one until the end of the grace period.
 */
import { ErrorCode } from './errors.js';
import type { AgreementRecord, ScopeGrant } from './model.js';
import { effectiveStatus } from './agreement.js';

export type Side = 'self' | 'partner';

/** The public card of a system, exchanged in proposals and acceptances (its security parameters). */
export type SystemCard = NonNullable<AgreementRecord['partnerCard']>;

export type AgreementEvent =
  | { kind: 'propose'; card: SystemCard; grants: ScopeGrant[]; validFrom: string | null; validUntil: string | null }
  | { kind: 'accept'; card: SystemCard; grants: ScopeGrant[] }
  | { kind: 'decline'; reason: string }
  | { kind: 'suspend'; reason: string }
  | { kind: 'resume' }
  | { kind: 'terminate'; reason: string }
  | { kind: 'grants'; grants: ScopeGrant[] }
  /** The sender signs with a new key from now on; `certificate` (signed with its previous key) says so (identity/key-rotation.ts). */
  | { kind: 'rotate'; publicKey: string; previousValidUntil: string; certificate: string };

export type AgreementEventKind = AgreementEvent['kind'];

/** What one side sends the other: its n-th message under the agreement (n counts from 1 per proposal). */
export interface AgreementMessage {
  n: number;
  event: AgreementEvent;
}

export type StepResult =
  | { ok: true; agreement: AgreementRecord; ended: boolean; nowInForce: boolean }
  | { ok: false; code: ErrorCode; reason: string };

/** Statuses after which a new proposal may start a new agreement. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['DECLINED', 'TERMINATED', 'EXPIRED']);

const refuse = (code: ErrorCode, reason: string): StepResult => ({ ok: false, code, reason });

function who(by: Side, agreement: AgreementRecord): string {
  return by === 'self' ? 'this system' : agreement.partner;
}

/**
 * Starts an agreement from a proposal (by this side, or received from the partner). `existing` is
 * the agreement this system has with the partner, if any: a new one may start only after a final one.
 */
export function startFromProposal(
  existing: AgreementRecord | null,
  by: Side,
  proposal: Extract<AgreementEvent, { kind: 'propose' }>,
  partnerCard: SystemCard,
  now: Date,
): StepResult {
  if (existing !== null && !FINAL_STATUSES.has(effectiveStatus(existing, now))) {
    return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `there is already an agreement with ${existing.partner} (${effectiveStatus(existing, now)})`);
  }
  if (existing?.partnerPublicKey && existing.partnerPublicKey.trim() !== partnerCard.publicKey.trim()) {
    return refuse(ErrorCode.PARTNER_KEY_MISMATCH, `${partnerCard.slug}'s key is not the key pinned before for it (a rotation is signed by the old key)`);
  }
  const validFrom = proposal.validFrom === null ? null : new Date(proposal.validFrom);
  const validUntil = proposal.validUntil === null ? null : new Date(proposal.validUntil);
  if (validUntil !== null && validUntil.getTime() <= now.getTime()) return refuse(ErrorCode.BAD_USER_INPUT, 'the validity period has already ended');
  if (validFrom !== null && validUntil !== null && validFrom.getTime() >= validUntil.getTime()) return refuse(ErrorCode.BAD_USER_INPUT, 'validFrom must be before validUntil');
  return {
    ok: true,
    ended: false,
    nowInForce: false,
    agreement: {
      partner: partnerCard.slug,
      partnerName: partnerCard.name,
      status: 'PROPOSED',
      validFrom,
      validUntil,
      partnerKeyFingerprint: null, // set by the caller from the key
      partnerPublicKey: partnerCard.publicKey,
      grantedToPartner: by === 'self' ? proposal.grants : [],
      grantedByPartner: by === 'partner' ? proposal.grants : [],
      proposedBy: by,
      fingerprintConfirmed: false,
      resumeRequestedBy: null,
      statusReason: null,
      partnerCard,
      partnerPreviousKey: null,
      messagesSent: 0,
      messagesReceived: 0,
      updatedAt: now,
    },
  };
}

/** One step on an existing agreement, taken by `by`. */
export function step(agreement: AgreementRecord, by: Side, event: AgreementEvent, now: Date): StepResult {
  const status = effectiveStatus(agreement, now);
  const next = (changes: Partial<AgreementRecord>, flags: { ended?: boolean; nowInForce?: boolean } = {}): StepResult => ({
    ok: true,
    agreement: { ...agreement, ...changes, updatedAt: now },
    ended: flags.ended ?? false,
    nowInForce: flags.nowInForce ?? false,
  });
  if (event.kind === 'rotate') {
    // Not a step of the cooperation: whatever the status, the partner's new key is pinned (vouched
    // for by the key pinned now, checked before this step), so that a later proposal between the two
    // finds the right key; the replaced key stays accepted until the end of the grace period.
    if (by === 'self') return next({});
    return next({
      partnerPublicKey: event.publicKey,
      partnerPreviousKey: agreement.partnerPublicKey === null ? null : { publicKey: agreement.partnerPublicKey, validUntil: new Date(event.previousValidUntil) },
    });
  }
  if (status === 'TERMINATED') return refuse(ErrorCode.AGREEMENT_TERMINATED, `the agreement with ${agreement.partner} is terminated`);
  if (FINAL_STATUSES.has(status)) return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `the agreement with ${agreement.partner} is ${status}: propose a new one`);
  switch (event.kind) {
    case 'propose':
      return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `there is already an agreement with ${agreement.partner} (${status})`);
    case 'accept': {
      if (status !== 'PROPOSED') return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `only a proposed agreement can be accepted (it is ${status})`);
      if (agreement.proposedBy === by) return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `${who(by, agreement)} proposed it: the other side accepts`);
      if (by === 'self' && !agreement.fingerprintConfirmed) {
        return refuse(ErrorCode.FINGERPRINT_NOT_CONFIRMED, `confirm ${agreement.partner}'s key fingerprint (compare it with its administrator) before accepting`);
      }
      const granted = by === 'self' ? { grantedToPartner: event.grants } : { grantedByPartner: event.grants, partnerCard: event.card, partnerName: event.card.name };
      return next({ status: 'ACTIVE', statusReason: null, ...granted }, { nowInForce: true });
    }
    case 'decline':
      if (status !== 'PROPOSED') return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `only a proposed agreement can be declined (it is ${status}): suspend or terminate it`);
      return next({ status: 'DECLINED', statusReason: event.reason }, { ended: true });
    case 'suspend':
      if (status === 'SUSPENDED') {
        if (by === 'self') return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `the agreement with ${agreement.partner} is already suspended`);
        // Both sides suspended at about the same time: it stays suspended, any request to resume is void.
        return next({ resumeRequestedBy: null, statusReason: event.reason });
      }
      if (status !== 'ACTIVE') return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `only an active agreement can be suspended (it is ${status})`);
      return next({ status: 'SUSPENDED', resumeRequestedBy: null, statusReason: event.reason });
    case 'resume':
      if (status !== 'SUSPENDED') return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `only a suspended agreement can be resumed (it is ${status})`);
      if (agreement.resumeRequestedBy === by) return refuse(ErrorCode.AGREEMENT_STATE_INVALID, `${who(by, agreement)} already asked to resume: the other side must resume too`);
      if (agreement.resumeRequestedBy === null) return next({ resumeRequestedBy: by });
      return next({ status: 'ACTIVE', resumeRequestedBy: null, statusReason: null }, { nowInForce: true });
    case 'terminate':
      if (status === 'PROPOSED') return refuse(ErrorCode.AGREEMENT_STATE_INVALID, 'a proposed agreement is declined (or withdrawn), not terminated');
      return next({ status: 'TERMINATED', resumeRequestedBy: null, statusReason: event.reason }, { ended: true });
    case 'grants':
      return next(by === 'self' ? { grantedToPartner: event.grants } : { grantedByPartner: event.grants });
  }
}

/** Whether a message numbered `n` from the partner is the next one expected. */
export function checkMessageOrder(agreement: AgreementRecord, n: number): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
  if (n === agreement.messagesReceived + 1) return { ok: true };
  if (n <= agreement.messagesReceived) return { ok: false, code: ErrorCode.MESSAGE_REPLAYED, reason: `message ${n} from ${agreement.partner} was applied before` };
  return { ok: false, code: ErrorCode.MESSAGE_OUT_OF_ORDER, reason: `message ${n} from ${agreement.partner} came before message ${agreement.messagesReceived + 1}` };
}
