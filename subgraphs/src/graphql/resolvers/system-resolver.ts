import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Directive, FieldResolver, ID, Info, Int, Resolver } from 'type-graphql';
import { mayUse, visibleOrganisations } from '../../../../domain/access.js';
import { ErrorCode, McxError } from '../../../../domain/errors.js';
import type { AuditResult } from '../../../../domain/model.js';
import { pageSize } from '../../services/paging.js';
import { accessIfAllowed, requireCaller, type SubgraphContext } from '../context.js';
import { Access, Agreement } from '../types/agreement.js';
import { AuditEntry } from '../types/audit-entry.js';
import { AuditResultEnum } from '../types/enums.js';
import { Group } from '../types/group.js';
import { Organisation } from '../types/organisation.js';
import { McxSystem } from '../types/system.js';
import { User } from '../types/user.js';
import { accessView, agreementView } from './views.js';
import type { AgreementRecord, GroupRecord, OrganisationRecord, UserRecord } from '../../../../domain/model.js';

@Resolver(() => McxSystem)
export class SystemResolver {
  @Directive('@access(requires: DIRECTORY_READ)')
  @FieldResolver(() => [Organisation], { nullable: true, description: 'Organisations the reader may see.' })
  async organisations(@Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): Promise<OrganisationRecord[] | null> {
    const access = accessIfAllowed(context, info, (a) => mayUse(a, 'DIRECTORY_READ'));
    if (access === null) return null;
    return context.services.store.organisations.list(visibleOrganisations(access));
  }

  @Directive('@access(requires: DIRECTORY_READ)')
  @FieldResolver(() => [User], { nullable: true, description: 'Users the reader may see, by display name.' })
  async users(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('organisationId', () => ID, { nullable: true }) organisationId: string | null,
    @Arg('search', () => String, { nullable: true, description: 'Part of the display name.' }) search: string | null,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'At most 500.' }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
  ): Promise<UserRecord[] | null> {
    const access = accessIfAllowed(context, info, (a) => mayUse(a, 'DIRECTORY_READ'));
    if (access === null) return null;
    return context.services.users.list(access, { organisationId: organisationId ?? null, search: search ?? null, ...pageSize(limit, offset) });
  }

  @Directive('@access(requires: DIRECTORY_READ)')
  @FieldResolver(() => User, { nullable: true, description: 'One user by id or by any of its MC service IDs.' })
  async user(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('id', () => ID, { nullable: true }) id: string | null,
    @Arg('mcServiceId', () => String, { nullable: true }) mcServiceId: string | null,
  ): Promise<UserRecord | null> {
    const access = accessIfAllowed(context, info, (a) => mayUse(a, 'DIRECTORY_READ'));
    if (access === null) return null;
    return context.services.users.find(access, { id, mcServiceId });
  }

  @Directive('@access(requires: DIRECTORY_READ)')
  @FieldResolver(() => [User], { nullable: true, description: 'The users holding these MC service IDs (at most 500) that the reader may see; IDs of users it may not see are left out.' })
  async usersByMcServiceIds(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('mcServiceIds', () => [String]) mcServiceIds: string[],
  ): Promise<UserRecord[] | null> {
    const access = accessIfAllowed(context, info, (a) => mayUse(a, 'DIRECTORY_READ'));
    if (access === null) return null;
    if (mcServiceIds.length > 500) throw new McxError(ErrorCode.BAD_USER_INPUT, 'at most 500 MC service IDs', { field: 'mcServiceIds' });
    return context.services.users.findMany(access, mcServiceIds);
  }

  @Directive('@access(requires: DIRECTORY_READ)')
  @FieldResolver(() => [Group], { nullable: true, description: 'Groups the reader may see, by name.' })
  async groups(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'At most 500.' }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
  ): Promise<GroupRecord[] | null> {
    const access = accessIfAllowed(context, info, (a) => mayUse(a, 'DIRECTORY_READ'));
    if (access === null) return null;
    return context.services.groups.list(access, pageSize(limit, offset));
  }

  @Directive('@access(requires: DIRECTORY_READ)')
  @FieldResolver(() => Group, { nullable: true })
  async group(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('groupId', () => ID) groupId: string,
  ): Promise<GroupRecord | null> {
    const access = accessIfAllowed(context, info, (a) => mayUse(a, 'DIRECTORY_READ'));
    if (access === null) return null;
    return context.services.groups.find(access, groupId);
  }

  @FieldResolver(() => [Agreement], { description: 'All agreements for the owner; a partner sees only its own.' })
  async agreements(@Ctx() context: SubgraphContext): Promise<Agreement[]> {
    const { access } = requireCaller(context);
    return (await context.services.agreements.list(access)).map((a: AgreementRecord) => agreementView(a, context.services.identity.slug));
  }

  @FieldResolver(() => Agreement, { nullable: true, description: 'The agreement with one partner (a partner may ask only for its own).' })
  async agreement(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string): Promise<Agreement | null> {
    const { access } = requireCaller(context);
    const agreement = await context.services.agreements.get(access, partner);
    return agreement && agreementView(agreement, context.services.identity.slug);
  }

  @FieldResolver(() => Access, { nullable: true, description: 'What a partner may do here now; by default the caller. A partner may ask only about itself.' })
  async access(@Ctx() context: SubgraphContext, @Arg('partner', () => String, { nullable: true }) partner: string | null): Promise<Access | null> {
    const { access } = requireCaller(context);
    return accessView(await context.services.agreements.accessOf(access, partner ?? access.partner));
  }

  @Directive('@access(requires: AUDIT_READ)')
  @FieldResolver(() => [AuditEntry], { nullable: true, description: 'Newest first. A partner with AUDIT_READ sees the entries of its own actions.' })
  async audit(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('result', () => AuditResultEnum, { nullable: true }) result: AuditResultEnum | null,
    @Arg('before', () => ID, { nullable: true, description: 'Only entries older than this id.' }) before: string | null,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'At most 500.' }) limit: number,
  ): Promise<AuditEntry[] | null> {
    const access = accessIfAllowed(context, info, (a) => mayUse(a, 'AUDIT_READ'));
    if (access === null) return null;
    const beforeId = before === null || before === undefined ? null : Number(before);
    if (beforeId !== null && !Number.isSafeInteger(beforeId)) {
      throw new McxError(ErrorCode.BAD_USER_INPUT, '"before" must be an audit entry id', { field: 'before' });
    }
    const entries = await context.services.audit.list(access, {
      result: (result ?? null) as AuditResult | null,
      beforeId,
      limit: pageSize(limit, 0).limit,
    });
    return entries as unknown as AuditEntry[];
  }
}
