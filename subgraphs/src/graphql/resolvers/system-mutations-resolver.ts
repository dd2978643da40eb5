import { Arg, Ctx, Directive, FieldResolver, ID, Resolver } from 'type-graphql';
import type { GroupRecord, McService, MemberRef, UserRecord } from '../../../../domain/model.js';
import { requireCaller, type SubgraphContext } from '../context.js';
import { McServiceEnum } from '../types/enums.js';
import { Group, MemberRefInput } from '../types/group.js';
import { GroupInput, UserInput } from '../types/inputs.js';
import { SystemMutations } from '../types/system.js';
import { User } from '../types/user.js';

export function plainMembers(members: MemberRefInput[]): MemberRef[] {
  return members.map((m) => ({ system: m.system, mcServiceId: m.mcServiceId }));
}

function plainUser(input: UserInput) {
  return {
    displayName: input.displayName,
    organisationId: input.organisationId,
    mcpttId: input.mcpttId ?? null,
    mcdataId: input.mcdataId ?? null,
    mcvideoId: input.mcvideoId ?? null,
    functionalAliases: input.functionalAliases ?? [],
    enabledServices: input.enabledServices,
    securityDomain: input.securityDomain,
    phone: input.phone ?? null,
    email: input.email ?? null,
  };
}

function plainGroup(input: GroupInput) {
  return {
    name: input.name,
    organisationId: input.organisationId ?? null,
    services: input.services,
    memberLimit: input.memberLimit,
    disabled: input.disabled ?? false,
  };
}

@Resolver(() => SystemMutations)
export class SystemMutationsResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => User, { nullable: true })
  async createUser(@Ctx() context: SubgraphContext, @Arg('input', () => UserInput) input: UserInput): Promise<UserRecord> {
    const { access, principal } = requireCaller(context);
    return context.services.users.create(access, principal, plainUser(input));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => User, { nullable: true })
  async updateUser(
    @Ctx() context: SubgraphContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UserInput) input: UserInput,
  ): Promise<UserRecord> {
    const { access, principal } = requireCaller(context);
    return context.services.users.update(access, principal, id, plainUser(input));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => User, { nullable: true, description: 'Enables exactly these services for the user.' })
  async setUserServices(
    @Ctx() context: SubgraphContext,
    @Arg('id', () => ID) id: string,
    @Arg('services', () => [McServiceEnum]) services: McServiceEnum[],
  ): Promise<UserRecord> {
    const { access, principal } = requireCaller(context);
    return context.services.users.setServices(access, principal, id, services as McService[]);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Boolean, { nullable: true })
  async removeUser(@Ctx() context: SubgraphContext, @Arg('id', () => ID) id: string): Promise<boolean> {
    const { access, principal } = requireCaller(context);
    return context.services.users.remove(access, principal, id);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Group, { nullable: true })
  async createGroup(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('input', () => GroupInput) input: GroupInput,
    @Arg('members', () => [MemberRefInput], { defaultValue: [] }) members: MemberRefInput[],
  ): Promise<GroupRecord> {
    const { access, principal } = requireCaller(context);
    return context.services.groups.create(access, principal, groupId, plainGroup(input), plainMembers(members));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Group, { nullable: true })
  async updateGroup(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('input', () => GroupInput) input: GroupInput,
  ): Promise<GroupRecord> {
    const { access, principal } = requireCaller(context);
    return context.services.groups.update(access, principal, groupId, plainGroup(input));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Boolean, { nullable: true })
  async removeGroup(@Ctx() context: SubgraphContext, @Arg('groupId', () => ID) groupId: string): Promise<boolean> {
    const { access, principal } = requireCaller(context);
    return context.services.groups.remove(access, principal, groupId);
  }

  @Directive('@access(requires: MEMBERSHIP_UPDATE)')
  @FieldResolver(() => Group, { nullable: true, description: "A partner may add only its own users, to groups its grant covers." })
  async addGroupMembers(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('members', () => [MemberRefInput]) members: MemberRefInput[],
  ): Promise<GroupRecord> {
    const { access, principal } = requireCaller(context);
    return context.services.groups.changeMembers(access, principal, groupId, 'add', plainMembers(members));
  }

  @Directive('@access(requires: MEMBERSHIP_UPDATE)')
  @FieldResolver(() => Group, { nullable: true, description: 'A partner may remove only its own users.' })
  async removeGroupMembers(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('members', () => [MemberRefInput]) members: MemberRefInput[],
  ): Promise<GroupRecord> {
    const { access, principal } = requireCaller(context);
    return context.services.groups.changeMembers(access, principal, groupId, 'remove', plainMembers(members));
  }
}
