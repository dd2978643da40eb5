import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, FieldResolver, Info, Int, Resolver, Root } from 'type-graphql';
import { decideForGroup } from '../../../../domain/access.js';
import type { GroupRecord, MemberRef as MemberRecord, OrganisationRecord } from '../../../../domain/model.js';
import { requireCaller, type SubgraphContext } from '../context.js';
import { Group, MemberRef } from '../types/group.js';
import { Organisation } from '../types/organisation.js';

function configField<T>(group: GroupRecord, context: SubgraphContext, info: GraphQLResolveInfo, value: T): T | null {
  const decision = decideForGroup(requireCaller(context).access, 'GROUP_CONFIG_READ', group);
  return decision.allowed ? value : context.denials.deny(info, decision.reason);
}

@Resolver(() => Group)
export class GroupResolver {
  @FieldResolver(() => Organisation, { nullable: true })
  async organisation(@Root() group: GroupRecord, @Ctx() context: SubgraphContext): Promise<OrganisationRecord | null> {
    return group.organisationId === null ? null : context.organisations.load(group.organisationId);
  }

  @FieldResolver(() => [MemberRef], { nullable: true })
  members(@Root() group: GroupRecord, @Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): MemberRecord[] | null {
    return configField(group, context, info, group.members);
  }

  @FieldResolver(() => Int, { nullable: true })
  memberLimit(@Root() group: GroupRecord, @Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): number | null {
    return configField(group, context, info, group.memberLimit);
  }

  @FieldResolver(() => Boolean, { nullable: true })
  disabled(@Root() group: GroupRecord, @Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): boolean | null {
    return configField(group, context, info, group.disabled);
  }
}
