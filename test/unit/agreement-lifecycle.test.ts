import { describe, expect, it } from 'vitest';
import { checkMessageOrder, startFromProposal, step, type AgreementEvent, type Side, type SystemCard } from '../../domain/agreement-lifecycle.js';
import type { AgreementRecord } from '../../domain/model.js';
import { agreement, grant } from '../support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const CARD: SystemCard = { systemId: 'urn:mcx:system:beta.example', slug: 'beta', name: 'Beta', domain: 'beta.example', securityDomain: 'https://kms.beta.example', endpoint: 'http://gw/graphql', publicKey: 'KEY-B' };
const propose = (overrides: Partial<Extract<AgreementEvent, { kind: 'propose' }>> = {}): Extract<AgreementEvent, { kind: 'propose' }> => ({
  kind: 'propose',
  card: CARD,
  grants: [grant('DIRECTORY_READ')],
  validFrom: null,
  validUntil: null,
  ...overrides,
});

function ok(result: ReturnType<typeof step>): AgreementRecord {
  if (!result.ok) throw new Error(`refused: ${result.code} ${result.reason}`);
  return result.agreement;
}

function refused(result: ReturnType<typeof step>): string {
  if (result.ok) throw new Error('expected a refusal');
  return result.code;
}

function proposed(by: Side, confirmed = true): AgreementRecord {
  const result = startFromProposal(null, by, propose(), CARD, NOW);
  return { ...ok(result), fingerprintConfirmed: confirmed };
}

describe('starting an agreement', () => {
  it('a proposal by this side keeps what it offers as what it grants', () => {
    const a = proposed('self');
    expect(a).toMatchObject({ status: 'PROPOSED', proposedBy: 'self', grantedToPartner: [grant('DIRECTORY_READ')], grantedByPartner: [], partnerPublicKey: 'KEY-B' });
  });

  it("a received proposal keeps the partner's offer as what the partner grants", () => {
    expect(proposed('partner')).toMatchObject({ proposedBy: 'partner', grantedToPartner: [], grantedByPartner: [grant('DIRECTORY_READ')] });
  });

  it.each(['PROPOSED', 'ACTIVE', 'SUSPENDED'] as const)('is refused while an agreement is %s', (status) => {
    expect(refused(startFromProposal(agreement({ status }), 'partner', propose(), CARD, NOW))).toBe('AGREEMENT_STATE_INVALID');
  });

  it.each(['DECLINED', 'TERMINATED'] as const)('starts anew after a %s one', (status) => {
    expect(ok(startFromProposal(agreement({ status, partnerPublicKey: 'KEY-B' }), 'partner', propose(), CARD, NOW)).status).toBe('PROPOSED');
  });

  it('never replaces a pinned key', () => {
    expect(refused(startFromProposal(agreement({ status: 'TERMINATED', partnerPublicKey: 'OLD-KEY' }), 'partner', propose(), CARD, NOW))).toBe('PARTNER_KEY_MISMATCH');
  });

  it('refuses a validity that has ended or is inverted', () => {
    expect(refused(startFromProposal(null, 'self', propose({ validUntil: '2025-05-01T00:00:00Z' }), CARD, NOW))).toBe('BAD_USER_INPUT');
    expect(refused(startFromProposal(null, 'self', propose({ validFrom: '2025-08-01T00:00:00Z', validUntil: '2025-07-01T00:00:00Z' }), CARD, NOW))).toBe('BAD_USER_INPUT');
  });
});

describe('accepting and declining', () => {
  it('the side that did not propose accepts, once its fingerprint check is done', () => {
    const received = proposed('partner', false);
    expect(refused(step(received, 'self', { kind: 'accept', card: CARD, grants: [] }, NOW))).toBe('FINGERPRINT_NOT_CONFIRMED');
    const accepted = ok(step({ ...received, fingerprintConfirmed: true }, 'self', { kind: 'accept', card: CARD, grants: [grant('CONTACT_READ')] }, NOW));
    expect(accepted).toMatchObject({ status: 'ACTIVE', grantedToPartner: [grant('CONTACT_READ')] });
  });

  it("the proposer learns the partner's grants and card from the acceptance", () => {
    const card = { ...CARD, endpoint: 'http://beta-gw/graphql' };
    const accepted = ok(step(proposed('self'), 'partner', { kind: 'accept', card, grants: [grant('GROUP_CONFIG_READ')] }, NOW));
    expect(accepted).toMatchObject({ status: 'ACTIVE', grantedByPartner: [grant('GROUP_CONFIG_READ')], partnerCard: card });
  });

  it('the proposer does not accept its own proposal, and nobody accepts twice', () => {
    expect(refused(step(proposed('self'), 'self', { kind: 'accept', card: CARD, grants: [] }, NOW))).toBe('AGREEMENT_STATE_INVALID');
    const active = ok(step(proposed('partner'), 'self', { kind: 'accept', card: CARD, grants: [] }, NOW));
    expect(refused(step(active, 'self', { kind: 'accept', card: CARD, grants: [] }, NOW))).toBe('AGREEMENT_STATE_INVALID');
  });

  it('a proposal is declined (or withdrawn) with a reason; an active agreement is not declined', () => {
    const declined = step(proposed('partner'), 'self', { kind: 'decline', reason: 'not now' }, NOW);
    expect(declined).toMatchObject({ ok: true, ended: true, agreement: { status: 'DECLINED', statusReason: 'not now' } });
    expect(ok(step(proposed('self'), 'self', { kind: 'decline', reason: 'withdrawn' }, NOW)).status).toBe('DECLINED');
    expect(refused(step(agreement(), 'self', { kind: 'decline', reason: 'x' }, NOW))).toBe('AGREEMENT_STATE_INVALID');
  });
});

describe('suspending and resuming', () => {
  const suspend: AgreementEvent = { kind: 'suspend', reason: 'incident over' };

  it('either side suspends an active agreement at once', () => {
    for (const by of ['self', 'partner'] as const) expect(ok(step(agreement(), by, suspend, NOW))).toMatchObject({ status: 'SUSPENDED', statusReason: 'incident over' });
  });

  it('resuming needs both sides, in either order', () => {
    for (const [first, second] of [['self', 'partner'], ['partner', 'self']] as const) {
      const suspended = ok(step(agreement(), first, suspend, NOW));
      const asked = ok(step(suspended, first, { kind: 'resume' }, NOW));
      expect(asked).toMatchObject({ status: 'SUSPENDED', resumeRequestedBy: first });
      expect(refused(step(asked, first, { kind: 'resume' }, NOW))).toBe('AGREEMENT_STATE_INVALID');
      const resumed = step(asked, second, { kind: 'resume' }, NOW);
      expect(resumed).toMatchObject({ ok: true, nowInForce: true, agreement: { status: 'ACTIVE', resumeRequestedBy: null } });
    }
  });

  it('both sides suspending at once leaves it suspended and voids a request to resume', () => {
    const suspended = ok(step(agreement(), 'self', suspend, NOW));
    expect(refused(step(suspended, 'self', suspend, NOW))).toBe('AGREEMENT_STATE_INVALID');
    const asked = ok(step(suspended, 'self', { kind: 'resume' }, NOW));
    expect(ok(step(asked, 'partner', suspend, NOW))).toMatchObject({ status: 'SUSPENDED', resumeRequestedBy: null });
  });

  it('only a suspended agreement is resumed, only an active one suspended', () => {
    expect(refused(step(agreement(), 'self', { kind: 'resume' }, NOW))).toBe('AGREEMENT_STATE_INVALID');
    expect(refused(step(proposed('self'), 'self', suspend, NOW))).toBe('AGREEMENT_STATE_INVALID');
  });
});

describe('ending', () => {
  it('either side terminates an active or suspended agreement; what stemmed from it is to be revoked', () => {
    for (const status of ['ACTIVE', 'SUSPENDED'] as const) {
      expect(step(agreement({ status }), 'partner', { kind: 'terminate', reason: 'done' }, NOW)).toMatchObject({ ok: true, ended: true, agreement: { status: 'TERMINATED' } });
    }
  });

  it('nothing is done on a terminated agreement', () => {
    const terminated = agreement({ status: 'TERMINATED' });
    const events: AgreementEvent[] = [
      { kind: 'accept', card: CARD, grants: [] },
      { kind: 'suspend', reason: 'x' },
      { kind: 'resume' },
      { kind: 'terminate', reason: 'x' },
      { kind: 'grants', grants: [] },
    ];
    for (const event of events) expect(refused(step(terminated, 'self', event, NOW)), event.kind).toBe('AGREEMENT_TERMINATED');
  });

  it('an active agreement past its validity is expired: nothing more is done on it', () => {
    const expired = agreement({ validUntil: new Date(NOW.getTime() - 1000) });
    expect(refused(step(expired, 'self', { kind: 'suspend', reason: 'x' }, NOW))).toBe('AGREEMENT_STATE_INVALID');
  });
});

describe('scopes', () => {
  it('each side sets only what it grants', () => {
    expect(ok(step(agreement(), 'self', { kind: 'grants', grants: [grant('AUDIT_READ')] }, NOW))).toMatchObject({ grantedToPartner: [grant('AUDIT_READ')], grantedByPartner: [] });
    expect(ok(step(agreement(), 'partner', { kind: 'grants', grants: [grant('AUDIT_READ')] }, NOW))).toMatchObject({ grantedToPartner: [], grantedByPartner: [grant('AUDIT_READ')] });
  });
});

describe('message order', () => {
  it('accepts the next message only', () => {
    const a = agreement({ messagesReceived: 3 });
    expect(checkMessageOrder(a, 4)).toEqual({ ok: true });
    expect(checkMessageOrder(a, 3)).toMatchObject({ ok: false, code: 'MESSAGE_REPLAYED' });
    expect(checkMessageOrder(a, 1)).toMatchObject({ ok: false, code: 'MESSAGE_REPLAYED' });
    expect(checkMessageOrder(a, 6)).toMatchObject({ ok: false, code: 'MESSAGE_OUT_OF_ORDER' });
  });
});

describe('key rotation', () => {
  const rotate: AgreementEvent = { kind: 'rotate', publicKey: 'KEY-B2', previousValidUntil: '2025-06-02T12:00:00Z', certificate: 'signed-by-KEY-B' };

  it("pins the partner's new key and keeps the old one until the end of the grace period, whatever the status", () => {
    for (const status of ['PROPOSED', 'ACTIVE', 'SUSPENDED', 'TERMINATED', 'DECLINED'] as const) {
      const rotated = ok(step(agreement({ status, partnerPublicKey: 'KEY-B' }), 'partner', rotate, NOW));
      expect(rotated, status).toMatchObject({ status, partnerPublicKey: 'KEY-B2', partnerPreviousKey: { publicKey: 'KEY-B', validUntil: new Date('2025-06-02T12:00:00Z') } });
    }
  });

  it("this side's own rotation changes nothing in the agreement (its key is not part of it)", () => {
    const before = agreement({ partnerPublicKey: 'KEY-B' });
    const after = ok(step(before, 'self', rotate, NOW));
    expect({ ...after, updatedAt: before.updatedAt }).toEqual(before);
  });
});
