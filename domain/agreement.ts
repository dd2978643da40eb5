import type { AgreementRecord, AgreementStatus } from './model.js';

/** The lifecycle fields of an agreement made beforehand (seeded, not proposed between live systems). */
export const MADE_BEFOREHAND = {
  proposedBy: null,
  fingerprintConfirmed: true,
  resumeRequestedBy: null,
  statusReason: null,
  partnerCard: null,
  partnerPreviousKey: null,
  messagesSent: 0,
  messagesReceived: 0,
} as const satisfies Partial<AgreementRecord>;

/**
 * The status an agreement has at a moment: a stored ACTIVE agreement whose validity has ended is
 * EXPIRED, and one whose validity has not begun yet is not in force.
 */
export function effectiveStatus(agreement: Pick<AgreementRecord, 'status' | 'validUntil'>, now: Date): AgreementStatus {
  if (agreement.status === 'ACTIVE' && agreement.validUntil !== null && agreement.validUntil.getTime() <= now.getTime()) {
    return 'EXPIRED';
  }
  return agreement.status;
}

/** True when the agreement currently gives the partner the scopes it grants. */
export function isInForce(agreement: Pick<AgreementRecord, 'status' | 'validFrom' | 'validUntil'>, now: Date): boolean {
  if (effectiveStatus(agreement, now) !== 'ACTIVE') return false;
  return agreement.validFrom === null || agreement.validFrom.getTime() <= now.getTime();
}
