/**
 * The owner's agreements with its partners: establishing them between live systems, their status,
 * what each side grants. Every step this system takes is decided by the lifecycle rules
 * (domain/agreement-lifecycle.ts), saved, audited and sent to the partner in the same transaction
 * (as a message in the partner's change feed, signed when delivered); every step the partner takes
 * arrives the same way and is decided by the same rules here. When an agreement ends (declined,
 * terminated, expired), what stemmed from it is revoked (AgreementEndHook).
 */
import { decideOwnerOnly, decidePartnerView, requireAllowed, resolveAccess, systemPrincipal, type EffectiveAccess } from '../../../domain/access.js';
import {
  checkMessageOrder,
  startFromProposal,
  step,
  type AgreementEvent,
  type AgreementMessage,
  type Side,
  type StepResult,
  type SystemCard,
} from '../../../domain/agreement-lifecycle.js';
import { effectiveStatus } from '../../../domain/agreement.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import type { AgreementRecord, Principal, ScopeGrant } from '../../../domain/model.js';
import { normaliseFingerprint, validateGrants, validateReason, validateSlug } from '../../../domain/validation.js';
import { verifyRotation } from '../../../identity/key-rotation.js';
import { fingerprintOf, publicKeyFromPem } from '../../../identity/keys.js';
import type { Store } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import type { OutboundClient } from './outbound-client.js';
import type { SharingService } from './sharing-service.js';
import type { SystemIdentity } from './system-identity.js';

/** Revokes, in the transaction that ends an agreement, something that stemmed from it. */
export type AgreementEndHook = (store: Store, partner: string) => Promise<void>;

export interface Proposal {
  partner: string;
  /** The partner's key fingerprint as its administrator read it out: must match the key found. */
  partnerFingerprint: string;
  grants: ScopeGrant[];
  validFrom: Date | null;
  validUntil: Date | null;
}

function keyFingerprint(pem: string): string {
  try {
    return fingerprintOf(publicKeyFromPem(pem));
  } catch {
    throw new McxError(ErrorCode.PARTNER_KEY_UNKNOWN, 'the partner sent no usable public key');
  }
}

export class AgreementsService {
  private readonly endHooks: AgreementEndHook[] = [];
  private readonly outOfForceHooks: AgreementEndHook[] = [];
  private readonly inForceHooks: AgreementEndHook[] = [];
  /** Set when the system reaches partners through a gateway (needed to propose). */
  outbound: OutboundClient | null = null;

  constructor(
    private readonly identity: SystemIdentity,
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly sharing: SharingService,
  ) {}

  private get owner(): string {
    return this.identity.slug;
  }

  /** Registers what to revoke when an agreement ends. */
  onEnded(hook: AgreementEndHook): void {
    this.endHooks.push(hook);
  }

  /** Registers what to revoke when an agreement stops being in force: suspended, or ended. */
  onOutOfForce(hook: AgreementEndHook): void {
    this.outOfForceHooks.push(hook);
  }

  /** Runs when an agreement comes (back) into force: accepted, or resumed. */
  onInForce(hook: AgreementEndHook): void {
    this.inForceHooks.push(hook);
  }

  /** The owner sees all its agreements; a partner only its own. */
  async list(access: EffectiveAccess): Promise<AgreementRecord[]> {
    if (access.isOwner) return this.store.agreements.list();
    const own = await this.store.agreements.get(access.partner);
    return own ? [own] : [];
  }

  async get(access: EffectiveAccess, partner: string): Promise<AgreementRecord | null> {
    requireAllowed(decidePartnerView(access, partner));
    return (await this.store.agreements.get(partner)) ?? null;
  }

  /** What `partner` may do here now (the owner may ask for any partner, a partner only for itself). */
  async accessOf(access: EffectiveAccess, partner: string, now = new Date()): Promise<EffectiveAccess> {
    requireAllowed(decidePartnerView(access, partner));
    if (partner === access.partner) return access;
    const agreement = await this.store.agreements.get(partner);
    return resolveAccess(this.owner, systemPrincipal(partner), agreement ?? null, now);
  }

  /** This system's security parameters, as partners receive them. */
  ownCard(): SystemCard {
    const { id, slug, name, domain, securityDomain, keys } = this.identity;
    return { systemId: id, slug, name, domain, securityDomain, endpoint: this.requireOutbound().endpoint, publicKey: keys.current.publicKeyPem };
  }

  private requireOutbound(): OutboundClient {
    if (this.outbound === null) throw new McxError(ErrorCode.BAD_REQUEST, `${this.owner} has no gateway to reach partners through (--outbound-gateway)`);
    return this.outbound;
  }

  // ---- steps this system takes (its own administrators only) ----

  /**
   * Proposes an agreement to a system this one may not know yet: reads the partner's public card
   * through the gateway, checks its key against the fingerprint the partner's administrator read
   * out, pins the key, and sends the proposal (with this system's card and what it offers).
   */
  async propose(access: EffectiveAccess, principal: Principal, proposal: Proposal): Promise<AgreementRecord> {
    const target = `agreement:${proposal.partner}`;
    let card: SystemCard;
    try {
      requireAllowed(decideOwnerOnly(access, 'propose agreements'));
      validateSlug(proposal.partner);
      if (proposal.partner === this.owner) throw new McxError(ErrorCode.BAD_USER_INPUT, 'a system makes no agreement with itself', { field: 'partner' });
      card = await this.partnerCard(proposal.partner);
      if (card.slug !== proposal.partner) throw new McxError(ErrorCode.MESSAGE_INVALID, `the gateway answered for ${card.slug}, not ${proposal.partner}`);
    } catch (error) {
      await this.audit.recordFailure(principal, 'agreement.propose', target, error);
      throw error;
    }
    return this.audit.audited(principal, 'agreement.propose', target, async (store) => {
      const fingerprint = keyFingerprint(card.publicKey);
      if (normaliseFingerprint(proposal.partnerFingerprint) !== normaliseFingerprint(fingerprint)) {
        throw new McxError(ErrorCode.FINGERPRINT_MISMATCH, `${proposal.partner}'s key has fingerprint ${fingerprint}, not the one given: do not proceed before the administrators agree on it`);
      }
      const event: Extract<AgreementEvent, { kind: 'propose' }> = {
        kind: 'propose',
        card: this.ownCard(),
        grants: validateGrants(proposal.grants),
        validFrom: proposal.validFrom?.toISOString() ?? null,
        validUntil: proposal.validUntil?.toISOString() ?? null,
      };
      const existing = (await store.agreements.get(proposal.partner)) ?? null;
      const result = startFromProposal(existing, 'self', event, card, new Date());
      if (!result.ok) throw new McxError(result.code, result.reason);
      const agreement: AgreementRecord = { ...result.agreement, partnerKeyFingerprint: fingerprint, fingerprintConfirmed: true };
      return this.commit(store, { ...result, agreement }, event);
    });
  }

  /** This side's administrator confirms the partner's key fingerprint (read out by the partner's administrator). */
  async confirmFingerprint(access: EffectiveAccess, principal: Principal, partner: string, fingerprint: string): Promise<AgreementRecord> {
    return this.audit.audited(principal, 'agreement.fingerprint.confirm', `agreement:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'confirm partners\' keys'));
      const agreement = await this.existing(store, partner);
      if (agreement.partnerKeyFingerprint === null || normaliseFingerprint(fingerprint) !== normaliseFingerprint(agreement.partnerKeyFingerprint)) {
        throw new McxError(ErrorCode.FINGERPRINT_MISMATCH, `the key pinned for ${partner} has another fingerprint: do not accept before the administrators agree on it`);
      }
      const confirmed = { ...agreement, fingerprintConfirmed: true, updatedAt: new Date() };
      await store.agreements.save(confirmed);
      return confirmed;
    });
  }

  accept(access: EffectiveAccess, principal: Principal, partner: string, grants: ScopeGrant[]): Promise<AgreementRecord> {
    return this.act(access, principal, partner, 'accept', () => ({ kind: 'accept', card: this.ownCard(), grants: validateGrants(grants) }));
  }

  decline(access: EffectiveAccess, principal: Principal, partner: string, reason: string): Promise<AgreementRecord> {
    return this.act(access, principal, partner, 'decline', () => ({ kind: 'decline', reason: validateReason(reason) }));
  }

  suspend(access: EffectiveAccess, principal: Principal, partner: string, reason: string): Promise<AgreementRecord> {
    return this.act(access, principal, partner, 'suspend', () => ({ kind: 'suspend', reason: validateReason(reason) }));
  }

  resume(access: EffectiveAccess, principal: Principal, partner: string): Promise<AgreementRecord> {
    return this.act(access, principal, partner, 'resume', () => ({ kind: 'resume' }));
  }

  terminate(access: EffectiveAccess, principal: Principal, partner: string, reason: string): Promise<AgreementRecord> {
    return this.act(access, principal, partner, 'terminate', () => ({ kind: 'terminate', reason: validateReason(reason) }));
  }

  /** Replaces what this system grants a partner; the partner is told. */
  setGrants(access: EffectiveAccess, principal: Principal, partner: string, grants: ScopeGrant[]): Promise<AgreementRecord> {
    return this.act(access, principal, partner, 'grants', () => ({ kind: 'grants', grants: validateGrants(grants) }));
  }

  /** One step of this side: decided by the rules, then committed and sent; refused or not, audited. `event` validates the input. */
  private act(access: EffectiveAccess, principal: Principal, partner: string, kind: AgreementEvent['kind'], event: () => AgreementEvent): Promise<AgreementRecord> {
    return this.audit.audited(principal, `agreement.${kind}`, `agreement:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, `act on its agreement with ${partner}`));
      const agreement = await this.existing(store, partner);
      const change = event();
      const result = step(agreement, 'self', change, new Date());
      if (!result.ok) throw new McxError(result.code, result.reason);
      return this.commit(store, result, change);
    });
  }

  /** Saves this side's step, sends it to the partner, and applies its consequences. */
  private async commit(store: Store, result: Extract<StepResult, { ok: true }>, event: AgreementEvent): Promise<AgreementRecord> {
    const agreement = { ...result.agreement, messagesSent: result.agreement.messagesSent + 1 };
    await store.agreements.save(agreement);
    await this.sharing.notify(store, agreement.partner, { n: agreement.messagesSent, event });
    await this.consequences(store, agreement, result, event, 'self');
    return agreement;
  }

  private async consequences(store: Store, agreement: AgreementRecord, result: Extract<StepResult, { ok: true }>, event: AgreementEvent, by: Side): Promise<void> {
    if (result.ended || event.kind === 'suspend') for (const hook of this.outOfForceHooks) await hook(store, agreement.partner);
    if (result.ended) for (const hook of this.endHooks) await hook(store, agreement.partner);
    if (result.nowInForce) for (const hook of this.inForceHooks) await hook(store, agreement.partner);
    // What the partner may see starts again from a full copy when the agreement comes (back) into
    // force or what this side grants changes; when it ends, the reset alone tells it to drop its copy.
    if (result.nowInForce || result.ended || (event.kind === 'grants' && by === 'self')) {
      await this.sharing.resnapshot(store, agreement.partner);
    }
  }

  private async existing(store: Store, partner: string): Promise<AgreementRecord> {
    const agreement = await store.agreements.getForUpdate(partner);
    if (!agreement) throw new McxError(ErrorCode.NOT_FOUND, `no agreement with ${partner}`);
    return agreement;
  }

  /** The partner's public card, read through the gateway (its key is then checked against the fingerprint given). */
  private async partnerCard(partner: string): Promise<SystemCard> {
    const outbound = this.requireOutbound();
    const answer = await outbound.request<Record<string, { id: string; slug: string; name: string; domain: string; securityDomain: string; publicKey: string } | null>>(
      `{ ${partner} { id slug name domain securityDomain publicKey } }`,
    ).catch(() => {
      throw new McxError(ErrorCode.SUBGRAPH_UNAVAILABLE, `the gateway ${outbound.gateway.url} cannot be reached`);
    });
    const card = answer.data?.[partner];
    if (!card) {
      const code = answer.errors[0]?.extensions?.code;
      if (code === ErrorCode.UNKNOWN_SYSTEM) throw new McxError(ErrorCode.UNKNOWN_SYSTEM, `the gateway knows no system "${partner}"`);
      throw new McxError(ErrorCode.SUBGRAPH_UNAVAILABLE, `${partner} cannot be reached at the moment (${answer.errors[0]?.message ?? `HTTP ${answer.status}`})`);
    }
    return { systemId: card.id, slug: card.slug, name: card.name, domain: card.domain, securityDomain: card.securityDomain, endpoint: outbound.endpoint, publicKey: card.publicKey };
  }

  // ---- steps the partner takes (its signed messages, applied in the delivery's transaction) ----

  /**
   * Applies one message from the partner. A message the rules refuse changes nothing but is
   * audited, and does not stop the feed it came in (the partner decided it by the same rules, so
   * only a race, such as both sides acting at once, or a forged message leads here).
   */
  async receive(store: Store, principal: Principal, message: AgreementMessage, now: Date): Promise<void> {
    const sender = principal.system;
    const target = `agreement:${sender}`;
    const action = `agreement.partner.${message.event.kind}`;
    const existing = (await store.agreements.getForUpdate(sender)) ?? null;
    let outcome: StepResult;
    if (message.event.kind === 'propose') {
      outcome =
        message.n !== 1
          ? { ok: false, code: ErrorCode.MESSAGE_OUT_OF_ORDER, reason: 'a proposal is the first message of an agreement' }
          : message.event.card.slug !== sender
            ? { ok: false, code: ErrorCode.MESSAGE_INVALID, reason: `the proposal describes ${message.event.card.slug}, but ${sender} sent it` }
            : startFromProposal(existing, 'partner', message.event, message.event.card, now);
      if (outcome.ok) {
        const agreement = { ...outcome.agreement, partnerKeyFingerprint: keyFingerprint(message.event.card.publicKey), messagesReceived: 1 };
        await store.agreements.save(agreement);
        await this.audit.record(principal, { action, target, result: 'OK' }, store);
        return;
      }
    } else if (existing === null) {
      outcome = { ok: false, code: ErrorCode.NOT_FOUND, reason: `${this.owner} has no agreement with ${sender}` };
    } else {
      const order = checkMessageOrder(existing, message.n);
      const vouched = order.ok && message.event.kind === 'rotate' ? await this.checkRotation(existing, message.event) : null;
      outcome = !order.ok ? order : vouched !== null ? vouched : step(existing, 'partner', message.event, now);
      if (outcome.ok) {
        const rotated = message.event.kind === 'rotate' ? { partnerKeyFingerprint: keyFingerprint(message.event.publicKey) } : {};
        const agreement = { ...outcome.agreement, ...rotated, messagesReceived: message.n };
        await store.agreements.save(agreement);
        await this.consequences(store, agreement, outcome, message.event, 'partner');
        await this.audit.record(principal, { action, target, result: 'OK' }, store);
        return;
      }
      // Refused by the rules, but in order: counted, so that the partner's next message is not out of order.
      if (order.ok) await store.agreements.save({ ...existing, messagesReceived: message.n });
    }
    const result = outcome.code === ErrorCode.AGREEMENT_STATE_INVALID || outcome.code === ErrorCode.AGREEMENT_TERMINATED || outcome.code === ErrorCode.NOT_FOUND ? 'FAILED' : 'DENIED';
    await this.audit.record(principal, { action, target, result, code: outcome.code, detail: outcome.reason }, store);
  }

  /** A refusal when the rotation is not vouched for by the key pinned for the partner (null when it is). */
  private async checkRotation(agreement: AgreementRecord, event: Extract<AgreementEvent, { kind: 'rotate' }>): Promise<StepResult | null> {
    try {
      if (agreement.partnerPublicKey === null) throw new McxError(ErrorCode.PARTNER_KEY_UNKNOWN, `no key of ${agreement.partner} is pinned`);
      const rotation = await verifyRotation(event.certificate, publicKeyFromPem(agreement.partnerPublicKey), agreement.partner);
      if (rotation.publicKeyPem !== event.publicKey || rotation.previousValidUntil !== event.previousValidUntil) {
        throw new McxError(ErrorCode.MESSAGE_INVALID, 'the rotation message does not say what its certificate says');
      }
      keyFingerprint(event.publicKey);
      return null;
    } catch (error) {
      const mcx = error instanceof McxError ? error : new McxError(ErrorCode.MESSAGE_INVALID, 'not a valid key rotation');
      return { ok: false, code: mcx.code, reason: mcx.message };
    }
  }

  /**
   * Tells every system this one has an agreement with (whatever its status: a later proposal must
   * find the right key) that it signs with a new key: one message each, in the caller's transaction
   * (the key rotation, key-rotation-service.ts).
   */
  async announceRotation(store: Store, event: Extract<AgreementEvent, { kind: 'rotate' }>, now = new Date()): Promise<string[]> {
    const told: string[] = [];
    for (const agreement of await store.agreements.list()) {
      const result = step(agreement, 'self', event, now);
      if (!result.ok) throw new McxError(result.code, result.reason);
      await this.commit(store, result, event);
      told.push(agreement.partner);
    }
    return told;
  }

  // ---- time ----

  /** Ends the agreements whose validity has run out (both sides do it, each at the same moment). */
  async expireDue(now = new Date()): Promise<string[]> {
    const expired: string[] = [];
    for (const agreement of await this.store.agreements.list()) {
      if (agreement.status === 'EXPIRED' || effectiveStatus(agreement, now) !== 'EXPIRED') continue;
      await this.store.transaction(async (store) => {
        const current = await store.agreements.getForUpdate(agreement.partner);
        if (!current || current.status === 'EXPIRED' || effectiveStatus(current, now) !== 'EXPIRED') return;
        const ended = { ...current, status: 'EXPIRED' as const, resumeRequestedBy: null, statusReason: `validity ended ${current.validUntil!.toISOString()}`, updatedAt: now };
        await store.agreements.save(ended);
        for (const hook of [...this.outOfForceHooks, ...this.endHooks]) await hook(store, current.partner);
        await this.sharing.resnapshot(store, current.partner);
        await this.audit.record(systemPrincipal(this.owner), { action: 'agreement.expire', target: `agreement:${current.partner}`, result: 'OK', detail: ended.statusReason }, store);
        expired.push(current.partner);
      });
    }
    return expired;
  }
}
