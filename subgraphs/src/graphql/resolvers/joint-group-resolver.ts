/**
 * Joint groups (docs/joint-groups.md): the queries on McxSystem, the members' details from their own
 * systems, and the mutations on SystemMutations — all for the system's own administrators, each
 * working on its own system's record (the home's group, or a participant's copy).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Directive, FieldResolver, ID, Info, Resolver, Root } from 'type-graphql';
import { decideOwnerOnly } from '../../../../domain/access.js';
import { ErrorCode, McxError } from '../../../../domain/errors.js';
import type { McService } from '../../../../domain/model.js';
import { groupDocument, parseGroupDocument } from '../../services/group-document.js';
import type { JointGroupView } from '../../services/joint-groups-service.js';
import { accessIfAllowed, requireCaller, type SubgraphContext } from '../context.js';
import { MemberRefInput } from '../types/group.js';
import { JointGroup, JointGroupInput, JointGroupMember, JointGroupPatchInput, MemberDetails, MembershipOperationEnum, ProvideToInput, UrgencyEnum } from '../types/joint-group.js';
import { PartnerRequest } from '../types/request.js';
import { McxSystem, SystemMutations } from '../types/system.js';
import { requestView } from './request-resolver.js';
import { plainMembers } from './system-mutations-resolver.js';
import type { McServiceEnum } from '../types/enums.js';

function jointGroupView(view: JointGroupView): JointGroup {
  return {
    groupId: view.config.groupId,
    name: view.config.name,
    homeSystem: view.config.homeSystem,
    role: view.record.role,
    status: view.record.status,
    services: view.config.services as McServiceEnum[],
    priority: view.config.priority,
    memberLimit: view.config.memberLimit,
    memberCount: view.members.length,
    disabled: view.config.disabled,
    version: view.record.role === 'home' ? view.record.version : (view.record.state?.version ?? view.record.version),
    members: view.members,
    participants: view.participants,
    reason: view.record.reason,
    updatedAt: view.record.updatedAt,
  };
}

@Resolver(() => McxSystem)
export class JointGroupQueriesResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [JointGroup], { nullable: true, description: 'Joint groups this system is the home of or takes part in (its own record of each).' })
  async jointGroups(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('status', () => String, { nullable: true, description: 'Only those in this status (ACTIVE, DISSOLVED, SUSPENDED, REMOVED).' }) status: string | null,
  ): Promise<JointGroup[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read its joint groups')) === null) return null;
    const views = await context.services.jointGroups.list();
    return views.filter((v) => !status || v.record.status === status).map(jointGroupView);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => JointGroup, { nullable: true, description: 'One joint group, with every member; ask for members { details } to read each member from its own system.' })
  async jointGroup(@Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo, @Arg('groupId', () => ID) groupId: string): Promise<JointGroup | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read its joint groups')) === null) return null;
    const view = await context.services.jointGroups.find(groupId);
    return view && jointGroupView(view);
  }
}

@Resolver(() => JointGroup)
export class JointGroupResolver {
  @FieldResolver(() => String, { description: 'The group as a group document (TS 24.481 style; docs/joint-groups.md).' })
  document(@Root() group: JointGroup): string {
    return groupDocument(
      { groupId: group.groupId, name: group.name, homeSystem: group.homeSystem, services: group.services as McService[], priority: group.priority, memberLimit: group.memberLimit, disabled: group.disabled },
      group.members,
    );
  }
}

@Resolver(() => JointGroupMember)
export class JointGroupMemberResolver {
  @FieldResolver(() => MemberDetails, {
    nullable: true,
    description: "The member as its own system shows it to this system (asked through the gateway as this system, so limited to what that system grants it); null when it shows nothing (see detailsNote).",
  })
  async details(@Root() member: JointGroupMember, @Ctx() context: SubgraphContext): Promise<MemberDetails | null> {
    const found = await context.memberDetails.load(`${member.system}\u0000${member.mcServiceId}`);
    if (!found.user) return null;
    const { mcptt, mcdata, mcvideo, ...rest } = found.user;
    return { ...rest, mcServiceIds: { mcptt, mcdata, mcvideo }, enabledServices: rest.enabledServices as McServiceEnum[] };
  }

  @FieldResolver(() => String, { nullable: true, description: "Why details are missing or partial, in the member's system's words (e.g. a scope it does not grant)." })
  async detailsNote(@Root() member: JointGroupMember, @Ctx() context: SubgraphContext): Promise<string | null> {
    return (await context.memberDetails.load(`${member.system}\u0000${member.mcServiceId}`)).note;
  }
}

@Resolver(() => SystemMutations)
export class JointGroupMutationsResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => JointGroup, { nullable: true, description: "Creates a joint group homed here, with this system's first members, and provides it to the partners named (each accepts by its policy or a person)." })
  async createJointGroup(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('input', () => JointGroupInput) input: JointGroupInput,
    @Arg('members', () => [MemberRefInput], { defaultValue: [] }) members: MemberRefInput[],
    @Arg('provideTo', () => [ProvideToInput], { defaultValue: [] }) provideTo: ProvideToInput[],
  ): Promise<JointGroup> {
    const { access, principal } = requireCaller(context);
    const view = await context.services.jointGroups.create(access, principal, {
      groupId,
      name: input.name,
      services: input.services as McService[],
      priority: input.priority,
      memberLimit: input.memberLimit,
      organisationId: input.organisationId ?? null,
      members: plainMembers(members),
      partners: provideTo.map((p) => ({ partner: p.partner, handler: p.handler ?? null })),
    });
    return jointGroupView(view);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => JointGroup, { nullable: true, description: 'Creates a joint group homed here from a group document (docs/joint-groups.md) and provides it to the partners named.' })
  async importJointGroup(
    @Ctx() context: SubgraphContext,
    @Arg('document', () => String, { description: 'The XML group document (at most 1 MiB; no DTD).' }) document: string,
    @Arg('provideTo', () => [ProvideToInput], { defaultValue: [] }) provideTo: ProvideToInput[],
  ): Promise<JointGroup> {
    const { access, principal } = requireCaller(context);
    const owner = context.services.identity.slug;
    let parsed;
    try {
      parsed = parseGroupDocument(document);
    } catch (error) {
      await context.services.audit.recordFailure(principal, 'jointGroup.import', 'group:?', error);
      throw error;
    }
    if (parsed.homeSystem !== null && parsed.homeSystem !== owner) {
      const error = new McxError(ErrorCode.NOT_GROUP_HOME, `the document is of a group homed at ${parsed.homeSystem}; ${owner} imports only groups it is the home of`, { field: 'document' });
      await context.services.audit.recordFailure(principal, 'jointGroup.import', `group:${parsed.groupId}`, error);
      throw error;
    }
    const view = await context.services.jointGroups.create(access, principal, {
      groupId: parsed.groupId,
      name: parsed.name,
      services: parsed.services,
      priority: parsed.priority ?? 100,
      memberLimit: parsed.memberLimit,
      organisationId: null,
      members: parsed.members.map((m) => ({ system: m.system ?? owner, mcServiceId: m.mcServiceId, securityDomain: m.securityDomain })),
      partners: provideTo.map((p) => ({ partner: p.partner, handler: p.handler ?? null })),
    }, 'jointGroup.import');
    if (parsed.disabled) return jointGroupView(await context.services.jointGroups.update(access, principal, parsed.groupId, { disabled: true }));
    return jointGroupView(view);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => JointGroup, { nullable: true, description: 'Provides a joint group homed here to one more partner, optionally addressed to a person or functional alias there.' })
  async provideJointGroup(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('partner', () => String) partner: string,
    @Arg('handler', () => String, { nullable: true }) handler: string | null,
  ): Promise<JointGroup> {
    const { access, principal } = requireCaller(context);
    return jointGroupView(await context.services.jointGroups.provide(access, principal, groupId, partner, handler ?? null));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => JointGroup, { nullable: true, description: "Changes a joint group's configuration. Only its home may (NOT_GROUP_HOME otherwise); every participant gets the new state." })
  async updateJointGroup(@Ctx() context: SubgraphContext, @Arg('groupId', () => ID) groupId: string, @Arg('patch', () => JointGroupPatchInput) patch: JointGroupPatchInput): Promise<JointGroup> {
    const { access, principal } = requireCaller(context);
    const view = await context.services.jointGroups.update(access, principal, groupId, {
      name: patch.name ?? undefined,
      services: (patch.services ?? undefined) as McService[] | undefined,
      priority: patch.priority ?? undefined,
      memberLimit: patch.memberLimit ?? undefined,
      disabled: patch.disabled ?? undefined,
    });
    return jointGroupView(view);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => JointGroup, { nullable: true, description: "Removes a partner from a joint group homed here: its members leave; it and the other participants are told." })
  async removeJointGroupPartner(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('partner', () => String) partner: string,
    @Arg('reason', () => String) reason: string,
  ): Promise<JointGroup> {
    const { access, principal } = requireCaller(context);
    return jointGroupView(await context.services.jointGroups.removePartner(access, principal, groupId, partner, reason));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => JointGroup, { nullable: true, description: 'Dissolves a joint group homed here: the group is removed and every participant told.' })
  async dissolveJointGroup(@Ctx() context: SubgraphContext, @Arg('groupId', () => ID) groupId: string, @Arg('reason', () => String) reason: string): Promise<JointGroup> {
    const { access, principal } = requireCaller(context);
    return jointGroupView(await context.services.jointGroups.dissolve(access, principal, groupId, reason));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => PartnerRequest, {
    nullable: true,
    description: "Asks the home of a joint group this system takes part in to add or remove some of this system's users, with an urgency. Checked here first against the copy (member limit, disabled, own users only).",
  })
  async requestJointGroupMembers(
    @Ctx() context: SubgraphContext,
    @Arg('groupId', () => ID) groupId: string,
    @Arg('operation', () => MembershipOperationEnum) operation: MembershipOperationEnum,
    @Arg('members', () => [MemberRefInput]) members: MemberRefInput[],
    @Arg('urgency', () => UrgencyEnum, { defaultValue: UrgencyEnum.ROUTINE }) urgency: UrgencyEnum,
    @Arg('handler', () => String, { nullable: true, description: 'An MC service ID or functional alias at the home to handle it.' }) handler: string | null,
  ): Promise<PartnerRequest> {
    const { access, principal } = requireCaller(context);
    const record = await context.services.jointGroups.requestMembers(access, principal, { groupId, operation, members: plainMembers(members), urgency, handler: handler ?? null });
    return requestView(record);
  }
}
