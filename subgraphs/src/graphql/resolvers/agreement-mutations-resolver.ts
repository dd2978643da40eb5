/**
 * The agreement lifecycle on SystemMutations: only the owning system's administrators (and the
 * system itself) act on its agreements; each step is sent to the partner (docs/agreements.md).
 */
import { Arg, Ctx, Directive, FieldResolver, Int, Resolver } from 'type-graphql';
import type { AgreementRecord, McService, ScopeGrant } from '../../../../domain/model.js';
import { requireCaller, type SubgraphContext } from '../context.js';
import { Agreement, ScopeGrantInput } from '../types/agreement.js';
import { KeyRotation, SystemMutations } from '../types/system.js';
import { agreementView } from './views.js';

function plainGrants(grants: ScopeGrantInput[]): ScopeGrant[] {
  return grants.map((g) => ({ scope: g.scope, organisations: g.organisations ?? null, groups: g.groups ?? null, services: (g.services ?? null) as McService[] | null }));
}

async function view(context: SubgraphContext, work: Promise<AgreementRecord>): Promise<Agreement> {
  return agreementView(await work, context.services.identity.slug);
}

@Resolver(() => SystemMutations)
export class AgreementMutationsResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, {
    nullable: true,
    description:
      "Proposes an agreement to a system, offering these grants. The partner's key is read through the gateway and must have the fingerprint its administrator read out to you; it is then pinned.",
  })
  proposeAgreement(
    @Ctx() context: SubgraphContext,
    @Arg('partner', () => String) partner: string,
    @Arg('partnerFingerprint', () => String, { description: "The partner's key fingerprint as its administrator read it out (groups and case do not matter)." }) partnerFingerprint: string,
    @Arg('grants', () => [ScopeGrantInput], { description: 'What this system offers to grant the partner.' }) grants: ScopeGrantInput[],
    @Arg('validFrom', () => Date, { nullable: true }) validFrom: Date | null,
    @Arg('validUntil', () => Date, { nullable: true }) validUntil: Date | null,
  ): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.propose(access, principal, { partner, partnerFingerprint, grants: plainGrants(grants), validFrom: validFrom ?? null, validUntil: validUntil ?? null }));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, { nullable: true, description: "Confirms the partner's key fingerprint, as its administrator read it out: needed before accepting." })
  confirmPartnerFingerprint(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('fingerprint', () => String) fingerprint: string): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.confirmFingerprint(access, principal, partner, fingerprint));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, { nullable: true, description: 'Accepts a proposed agreement, granting the partner these scopes.' })
  acceptAgreement(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('grants', () => [ScopeGrantInput]) grants: ScopeGrantInput[]): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.accept(access, principal, partner, plainGrants(grants)));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, { nullable: true, description: 'Declines a proposed agreement (or withdraws this system\'s own proposal).' })
  declineAgreement(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('reason', () => String) reason: string): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.decline(access, principal, partner, reason));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, { nullable: true, description: "Suspends an active agreement at once: the partner's access ends, nothing is deleted." })
  suspendAgreement(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('reason', () => String) reason: string): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.suspend(access, principal, partner, reason));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, { nullable: true, description: 'Asks to resume a suspended agreement; it is active again once both systems have resumed it.' })
  resumeAgreement(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.resume(access, principal, partner));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, { nullable: true, description: 'Ends the agreement for good: access ends and what stemmed from it is revoked on both sides.' })
  terminateAgreement(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('reason', () => String) reason: string): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.terminate(access, principal, partner, reason));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => KeyRotation, {
    nullable: true,
    description: 'Replaces this system\'s signing key. Partners are told, signed with the current key, and accept the current key until the grace period ends.',
  })
  rotateKey(@Ctx() context: SubgraphContext, @Arg('graceSeconds', () => Int, { defaultValue: 86_400, description: 'How long the current key is still accepted (at most 7 days).' }) graceSeconds: number): Promise<KeyRotation> {
    const { access, principal } = requireCaller(context);
    return context.services.keyRotation.rotate(access, principal, graceSeconds);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Agreement, { nullable: true, description: 'Replaces what this system grants a partner; the partner is told.' })
  setAgreementGrants(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('grants', () => [ScopeGrantInput]) grants: ScopeGrantInput[]): Promise<Agreement> {
    const { access, principal } = requireCaller(context);
    return view(context, context.services.agreements.setGrants(access, principal, partner, plainGrants(grants)));
  }
}
