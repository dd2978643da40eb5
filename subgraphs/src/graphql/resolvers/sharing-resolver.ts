/** The change feed, replicas and delivery status on McxSystem; receiving a partner's changes. */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Directive, FieldResolver, Info, Int, Resolver } from 'type-graphql';
import { decideFeedView, decideOwnerOnly, requireAllowed } from '../../../../domain/access.js';
import { ErrorCode, McxError } from '../../../../domain/errors.js';
import { feedStart } from '../../../../domain/sharing.js';
import { accessIfAllowed, requireCaller, type SubgraphContext } from '../context.js';
import { ChangePage, DeliveryReceipt, DeliveryStatus, PartnerDirectory, PartnerReplica } from '../types/sharing.js';
import { pageSize } from '../../services/paging.js';
import type { AccessScopeEnum, AgreementStatusEnum } from '../types/enums.js';
import { McxSystem, SystemMutations } from '../types/system.js';
import { changeEntryView, parseCursor } from './feed-views.js';

const MAX_CHANGES = 1000;

const date = (value: string | null): Date | null => (value === null ? null : new Date(value));

@Resolver(() => McxSystem)
export class SharingResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => PartnerDirectory, { nullable: true, description: "This system's users and groups as a partner sees them now: what its grants let it see, field by field." })
  async directoryAsSeenBy(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('partner', () => String) partner: string,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'At most 500 users and 500 groups.' }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
  ): Promise<PartnerDirectory | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'look at what partners see')) === null) return null;
    const view = await context.services.sharing.partnerView(context.services.store, partner, pageSize(limit, offset));
    return {
      partner,
      agreementStatus: view.access.agreementStatus as AgreementStatusEnum | null,
      scopes: view.access.grants.map((g) => g.scope) as AccessScopeEnum[],
      users: view.users as PartnerDirectory['users'],
      groups: view.groups as PartnerDirectory['groups'],
    };
  }

  @FieldResolver(() => ChangePage, {
    nullable: true,
    description:
      'What this system shares with a partner, in order, after a cursor. A partner reads only its own feed, and nothing from before its latest reset (written when its grants change).',
  })
  async changes(
    @Ctx() context: SubgraphContext,
    @Arg('partner', () => String, { nullable: true, description: 'Default: the caller.' }) partner: string | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor of the last entry already seen.' }) after: string | null,
    @Arg('limit', () => Int, { defaultValue: 100, description: `At most ${MAX_CHANGES}.` }) limit: number,
  ): Promise<ChangePage> {
    const { access } = requireCaller(context);
    const target = partner ?? access.partner;
    requireAllowed(decideFeedView(access, target));
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGES) throw new McxError(ErrorCode.BAD_USER_INPUT, `limit must be from 1 to ${MAX_CHANGES}`);
    const feed = context.services.store.feed;
    // The owner reads its whole history: no need to look for the latest reset.
    const from = feedStart(access, parseCursor(after), access.isOwner ? null : (await feed.head(target)).lastResetSeq);
    const entries = await feed.since(target, from, limit + 1);
    const page = entries.slice(0, limit);
    return {
      entries: page.map(changeEntryView),
      cursor: String(page.length > 0 ? page[page.length - 1]!.seq : from),
      hasMore: entries.length > limit,
    };
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [PartnerReplica], { nullable: true, description: 'Read-only copies of what partners share with this system, with their age.' })
  async replicas(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('partner', () => String, { nullable: true }) partner: string | null,
  ): Promise<PartnerReplica[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, "read its copies of partners' data")) === null) return null;
    const store = context.services.store;
    const cursors = (await store.replicas.cursors()).filter((c) => !partner || c.partner === partner);
    return Promise.all(
      cursors.map(async (c) => ({
        partner: c.partner,
        appliedThrough: String(c.appliedSeq),
        appliedChanges: c.appliedCount,
        lastAppliedAt: new Date(c.lastAppliedAt),
        ageSeconds: (Date.now() - Date.parse(c.lastAppliedAt)) / 1000,
        users: (await store.replicas.users(c.partner)) as PartnerReplica['users'],
        groups: (await store.replicas.groups(c.partner)) as PartnerReplica['groups'],
      })),
    );
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [DeliveryStatus], { nullable: true, description: 'Per partner: what is still to be delivered, how old, the last error.' })
  async deliveries(@Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): Promise<DeliveryStatus[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read its delivery status')) === null) return null;
    const now = Date.now();
    return (await context.services.deliveryStatus()).map((s) => ({
      partner: s.partner,
      deliveredThrough: String(s.deliveredSeq),
      pending: s.pending,
      oldestPendingAgeSeconds: s.oldestPendingAt === null ? null : (now - Date.parse(s.oldestPendingAt)) / 1000,
      attempts: s.attempts,
      lastError: s.lastError,
      lastAttemptAt: date(s.lastAttemptAt),
      lastSuccessAt: date(s.lastSuccessAt),
      nextAttemptAt: date(s.nextAttemptAt),
    }));
  }
}

@Resolver(() => SystemMutations)
export class ReceiveChangesResolver {
  @FieldResolver(() => DeliveryReceipt, {
    nullable: true,
    description: "A partner system delivers a signed batch of its change feed (its own key, pinned here). Applied in order, exactly once.",
  })
  async receivePartnerChanges(@Ctx() context: SubgraphContext, @Arg('envelope', () => String) envelope: string): Promise<DeliveryReceipt> {
    const { principal } = requireCaller(context);
    const receipt = await context.services.replicas.receive(principal, envelope);
    return { appliedThrough: String(receipt.appliedThrough), applied: receipt.applied };
  }
}
