import type { GraphQLResolveInfo } from 'graphql';
import { Ctx, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import { decideForUser, visibleServiceIds } from '../../../../domain/access.js';
import type { GroupRecord, OrganisationRecord, UserRecord } from '../../../../domain/model.js';
import { requireCaller, type SubgraphContext } from '../context.js';
import { McServiceEnum } from '../types/enums.js';
import { Group } from '../types/group.js';
import { Organisation } from '../types/organisation.js';
import { McServiceIds, User } from '../types/user.js';

@Resolver(() => User)
export class UserResolver {
  @FieldResolver(() => Organisation)
  async organisation(@Root() user: UserRecord, @Ctx() context: SubgraphContext): Promise<OrganisationRecord> {
    return (await context.organisations.load(user.organisationId)) as OrganisationRecord;
  }

  @FieldResolver(() => McServiceIds)
  mcServiceIds(@Root() user: UserRecord, @Ctx() context: SubgraphContext): McServiceIds {
    const ids = visibleServiceIds(requireCaller(context).access, user);
    return { mcptt: ids.get('MCPTT') ?? null, mcdata: ids.get('MCDATA') ?? null, mcvideo: ids.get('MCVIDEO') ?? null };
  }

  @FieldResolver(() => [McServiceEnum])
  enabledServices(@Root() user: UserRecord, @Ctx() context: SubgraphContext): McServiceEnum[] {
    const ids = visibleServiceIds(requireCaller(context).access, user);
    return user.enabledServices.filter((service) => ids.has(service)) as McServiceEnum[];
  }

  @FieldResolver(() => String, { nullable: true })
  phone(@Root() user: UserRecord, @Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): string | null {
    const decision = decideForUser(requireCaller(context).access, 'CONTACT_READ', user);
    return decision.allowed ? user.phone : context.denials.deny(info, decision.reason);
  }

  @FieldResolver(() => String, { nullable: true })
  email(@Root() user: UserRecord, @Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): string | null {
    const decision = decideForUser(requireCaller(context).access, 'CONTACT_READ', user);
    return decision.allowed ? user.email : context.denials.deny(info, decision.reason);
  }

  @FieldResolver(() => [Group], { description: 'Groups of this system the user is a member of (those the reader may see).' })
  async groups(@Root() user: UserRecord, @Ctx() context: SubgraphContext): Promise<GroupRecord[]> {
    const ids = [...visibleServiceIds(requireCaller(context).access, user).values()];
    const lists = await context.groupsOfMember.loadMany(ids);
    const byId = new Map<string, GroupRecord>();
    for (const list of lists) {
      if (list instanceof Error) throw list;
      for (const group of list) byId.set(group.groupId, group);
    }
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
