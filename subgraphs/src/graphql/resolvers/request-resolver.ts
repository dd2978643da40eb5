/**
 * Requests between systems and migration authorisations (docs/requests.md): the queries on
 * McxSystem and the mutations on SystemMutations, all for the system's own administrators.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Directive, FieldResolver, ID, Info, Int, Resolver } from 'type-graphql';
import { decideOwnerOnly, mayUse } from '../../../../domain/access.js';
import { ErrorCode, McxError } from '../../../../domain/errors.js';
import type { McService } from '../../../../domain/model.js';
import { URGENCIES, type MembershipBody, type ProvideBody, type Urgency } from '../../../../domain/joint-groups.js';
import { decidePerson, REQUEST_KINDS, type MigrationBody, type RequestKind, type RequestStatus, type ServiceToggleBody } from '../../../../domain/requests.js';
import type { AuthorisationRecord, AuthorisationStatus, ScheduledChange } from '../../store/migration-store.js';
import type { RequestRecord } from '../../store/request-store.js';
import { pageSize } from '../../services/paging.js';
import { accessIfAllowed, requireCaller, type SubgraphContext } from '../context.js';
import { McServiceEnum } from '../types/enums.js';
import {
  DecisionEnum,
  MigrationAuthorisation,
  PartnerRequest,
  RequestDirectionEnum,
  RequestPolicyInput,
  RequestPolicyView,
  RequestStatusEnum,
  ScheduledServiceChange,
  VisitingProfile,
  VisitorServicesChange,
} from '../types/request.js';
import { visitingProfileDocument } from '../../services/profile-document.js';
import { McxSystem, SystemMutations } from '../types/system.js';

export function requestView(record: RequestRecord): PartnerRequest {
  const migration = record.kind === 'migration.authorise' ? (record.body as MigrationBody) : null;
  const toggle = record.kind === 'services.toggle' ? (record.body as ServiceToggleBody) : null;
  const provide = record.kind === 'group.provide' ? (record.body as ProvideBody) : null;
  const membership = record.kind === 'group.members' ? (record.body as MembershipBody) : null;
  const userIds = migration ? migration.users.map((u) => u.userId) : ((record.body as { userIds?: string[] | null }).userIds ?? []);
  return {
    id: record.id,
    direction: record.direction as RequestDirectionEnum,
    partner: record.partner,
    kind: record.kind,
    status: record.status as RequestStatusEnum,
    requester: record.requester,
    handler: record.handler,
    userCount: userIds.length,
    userIds: userIds.slice(0, 500),
    services: (migration?.services ?? toggle?.enabled ?? null) as McServiceEnum[] | null,
    at: toggle?.at ? new Date(toggle.at) : null,
    validFrom: migration ? new Date(migration.validFrom) : null,
    validUntil: migration ? new Date(migration.validUntil) : null,
    approved: record.outcome?.approved ?? null,
    refused: record.outcome?.refused ?? null,
    decidedBy: record.decidedBy,
    reason: record.reason,
    createdAt: record.createdAt,
    decideBy: record.direction === 'inbound' ? record.decideBy : null,
    decidedAt: record.decidedAt,
    groupId: provide?.groupId ?? membership?.groupId ?? null,
    groupName: provide?.state.config.name ?? null,
    operation: membership?.operation ?? null,
    urgency: membership?.urgency ?? null,
  };
}

function authorisationView(record: AuthorisationRecord): MigrationAuthorisation {
  return { ...record, direction: record.direction as RequestDirectionEnum, services: record.services as McServiceEnum[], enabledServices: record.enabledServices as McServiceEnum[] };
}

function scheduledView(change: ScheduledChange): ScheduledServiceChange {
  return {
    id: change.id,
    direction: change.direction as RequestDirectionEnum,
    partner: change.partner,
    userIds: change.body.userIds,
    organisationId: change.body.organisationId,
    enabled: change.body.enabled as McServiceEnum[],
    at: change.dueAt,
    status: change.status,
    requestedBy: change.requestedBy,
  };
}

function toggleBody(userIds: string[] | null | undefined, organisationId: string | null | undefined, enabled: McServiceEnum[], at: Date | null | undefined): ServiceToggleBody {
  return { userIds: userIds ?? null, organisationId: organisationId ?? null, enabled: enabled as McService[], at: at ? at.toISOString() : null };
}

function profileView(record: AuthorisationRecord, host: { slug: string; securityDomain: string }): VisitingProfile {
  return {
    userId: record.userId,
    homeSystem: record.partner,
    displayName: record.displayName,
    mcServiceId: record.mcServiceId,
    homeSecurityDomain: record.securityDomain,
    securityDomain: host.securityDomain,
    authorisedServices: record.services as McServiceEnum[],
    enabledServices: record.enabledServices as McServiceEnum[],
    groups: record.groups,
    aliases: record.aliases,
    validFrom: record.validFrom,
    validUntil: record.validUntil,
    status: record.status,
    issuedAt: record.updatedAt,
    document: visitingProfileDocument(record, host),
  };
}

function urgencies(values: string[]): Urgency[] {
  const unknown = values.filter((u) => !(URGENCIES as readonly string[]).includes(u));
  if (unknown.length > 0) throw new McxError(ErrorCode.BAD_USER_INPUT, `urgencies are ${URGENCIES.join(', ')}`, { field: 'automaticUrgencies' });
  return values as Urgency[];
}

function requestKind(kind: string): RequestKind {
  if (!(REQUEST_KINDS as readonly string[]).includes(kind)) throw new McxError(ErrorCode.BAD_USER_INPUT, `kind is one of ${REQUEST_KINDS.join(', ')}`, { field: 'kind' });
  return kind as RequestKind;
}

@Resolver(() => McxSystem)
export class RequestQueriesResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [PartnerRequest], { nullable: true, description: 'Requests to and from partners, newest first.' })
  async requests(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('direction', () => RequestDirectionEnum, { nullable: true }) direction: RequestDirectionEnum | null,
    @Arg('status', () => RequestStatusEnum, { nullable: true }) status: RequestStatusEnum | null,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'At most 500.' }) limit: number,
  ): Promise<PartnerRequest[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read its requests')) === null) return null;
    const page = pageSize(limit, 0);
    const records = await context.services.store.requests.list({ direction: direction ?? null, status: (status as RequestStatus | null) ?? null, limit: page.limit });
    return records.map(requestView);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [PartnerRequest], {
    nullable: true,
    description: "Partners' requests waiting for a decision that the caller may take (the policy's responders), oldest first; optionally only those addressed to one handler.",
  })
  async pendingRequests(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('handler', () => String, { nullable: true, description: 'An MC service ID or functional alias the requests were addressed to.' }) handler: string | null,
  ): Promise<PartnerRequest[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read its pending requests')) === null) return null;
    const { principal } = requireCaller(context);
    const store = context.services.store;
    const records = (await store.requests.list({ direction: 'inbound', status: 'PENDING', limit: 500 })).filter((r) => !handler || r.handler === handler);
    const responders = new Map<string, string[] | null>();
    const mine: RequestRecord[] = [];
    for (const record of records) {
      const key = `${record.kind}\u0000${record.partner}`;
      if (!responders.has(key)) responders.set(key, (await store.requests.policy(record.kind, record.partner)).responders);
      if (decidePerson(responders.get(key)!, principal, 'decide').ok) mine.push(record);
    }
    return mine.reverse().map(requestView);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [MigrationAuthorisation], { nullable: true, description: "Partners' users authorised to migrate here (INBOUND), or this system's users authorised at partners (OUTBOUND)." })
  async migrationAuthorisations(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('direction', () => RequestDirectionEnum) direction: RequestDirectionEnum,
    @Arg('partner', () => String, { nullable: true }) partner: string | null,
    @Arg('status', () => String, { nullable: true, description: 'ACTIVE, REMOVED, REVOKED or EXPIRED.' }) status: string | null,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'At most 500.' }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
  ): Promise<MigrationAuthorisation[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read migration authorisations')) === null) return null;
    const records = await context.services.store.migrations.list({ direction, partner: partner ?? null, status: (status as AuthorisationStatus | null) ?? null, ...pageSize(limit, offset) });
    return records.map(authorisationView);
  }

  @Directive('@access(requires: MIGRATION_REQUEST)')
  @FieldResolver(() => [VisitingProfile], {
    nullable: true,
    description: "Visiting profiles issued here: a partner reads those of its own users (to give them to the users), this system's administrators all.",
  })
  async visitingProfiles(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('partner', () => String, { nullable: true, description: "The users' home system (a partner: itself)." }) partner: string | null,
    @Arg('userIds', () => [ID], { nullable: true }) userIds: string[] | null,
    @Arg('limit', () => Int, { defaultValue: 100, description: 'At most 500.' }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
  ): Promise<VisitingProfile[] | null> {
    const access = accessIfAllowed(context, info, (a) => (a.isOwner ? { allowed: true } : mayUse(a, 'MIGRATION_REQUEST')));
    if (access === null) return null;
    const asked = partner ?? null;
    const home = access.isOwner ? asked : access.partner;
    if (!access.isOwner && asked !== null && asked !== access.partner) throw new McxError(ErrorCode.FORBIDDEN_PARTNER_VIEW, `${access.partner} reads only the profiles of its own users`);
    const records = await context.services.store.migrations.list({ direction: 'inbound', partner: home, status: null, ...pageSize(limit, offset) });
    const wanted = userIds ? new Set(userIds) : null;
    const identity = context.services.identity;
    return records.filter((r) => wanted === null || wanted.has(r.userId)).map((r) => profileView(r, identity));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [ScheduledServiceChange], { nullable: true, description: "Changes of visitors' services scheduled for later, in either direction." })
  async scheduledServiceChanges(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('direction', () => RequestDirectionEnum, { nullable: true }) direction: RequestDirectionEnum | null,
  ): Promise<ScheduledServiceChange[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read scheduled changes')) === null) return null;
    return (await context.services.store.migrations.scheduled({ direction: direction ?? null, dueBy: null, status: null })).map(scheduledView);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => RequestPolicyView, { nullable: true, description: 'The policy that applies to a kind of request from a partner.' })
  async requestPolicy(
    @Ctx() context: SubgraphContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('kind', () => String) kind: string,
    @Arg('partner', () => String) partner: string,
  ): Promise<RequestPolicyView | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read its request policies')) === null) return null;
    return context.services.store.requests.policy(requestKind(kind), partner) as Promise<RequestPolicyView>;
  }
}

@Resolver(() => SystemMutations)
export class RequestMutationsResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => PartnerRequest, {
    nullable: true,
    description: 'Asks a partner to authorise these users of this system to migrate there (at most 10,000). This system checks first that the partner grants it MIGRATION_REQUEST for them.',
  })
  async requestMigration(
    @Ctx() context: SubgraphContext,
    @Arg('partner', () => String) partner: string,
    @Arg('userIds', () => [ID]) userIds: string[],
    @Arg('services', () => [McServiceEnum]) services: McServiceEnum[],
    @Arg('validFrom', () => Date, { nullable: true, description: 'Default: now.' }) validFrom: Date | null,
    @Arg('validUntil', () => Date) validUntil: Date,
    @Arg('handler', () => String, { nullable: true, description: 'An MC service ID or functional alias at the partner to handle it.' }) handler: string | null,
    @Arg('requestId', () => String, { nullable: true, description: 'Makes a retry safe: the same id returns the first request.' }) requestId: string | null,
  ): Promise<PartnerRequest> {
    const { access, principal } = requireCaller(context);
    const record = await context.services.requests.requestMigration(access, principal, {
      partner,
      userIds,
      services: services as McService[],
      validFrom: validFrom ?? new Date(),
      validUntil,
      handler: handler ?? null,
      requestId: requestId ?? null,
    });
    return requestView(record);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => PartnerRequest, { nullable: true, description: 'Asks a partner to remove these users from their migration authorisation there.' })
  async requestMigrationRemoval(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('userIds', () => [ID]) userIds: string[]): Promise<PartnerRequest> {
    const { access, principal } = requireCaller(context);
    return requestView(await context.services.requests.requestRemoval(access, principal, partner, userIds));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => PartnerRequest, { nullable: true, description: 'Withdraws a pending request (the partner confirms, unless it decided first).' })
  async withdrawRequest(@Ctx() context: SubgraphContext, @Arg('partner', () => String) partner: string, @Arg('requestId', () => String) requestId: string): Promise<PartnerRequest> {
    const { access, principal } = requireCaller(context);
    return requestView(await context.services.requests.withdraw(access, principal, partner, requestId));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => PartnerRequest, { nullable: true, description: "Decides a partner's pending request: approve, approve part (naming the users), or reject with a reason." })
  async decideRequest(
    @Ctx() context: SubgraphContext,
    @Arg('partner', () => String) partner: string,
    @Arg('requestId', () => String) requestId: string,
    @Arg('decision', () => DecisionEnum) decision: DecisionEnum,
    @Arg('userIds', () => [ID], { nullable: true, description: 'With APPROVE_PART: the users approved.' }) userIds: string[] | null,
    @Arg('reason', () => String, { nullable: true, description: 'Needed to reject.' }) reason: string | null,
  ): Promise<PartnerRequest> {
    const { access, principal } = requireCaller(context);
    return requestView(await context.services.requests.decide(access, principal, partner, requestId, { kind: decision, userIds: userIds ?? null, reason: reason ?? null }));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [MigrationAuthorisation], { nullable: true, description: "Revokes the migration authorisations of a partner's users here (all of them without userIds); the partner is told." })
  async revokeMigration(
    @Ctx() context: SubgraphContext,
    @Arg('partner', () => String) partner: string,
    @Arg('userIds', () => [ID], { nullable: true }) userIds: string[] | null,
    @Arg('reason', () => String) reason: string,
  ): Promise<MigrationAuthorisation[]> {
    const { access, principal } = requireCaller(context);
    return (await context.services.requests.revoke(access, principal, partner, userIds ?? null, reason)).map(authorisationView);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => VisitorServicesChange, {
    nullable: true,
    description: "Turns MCPTT / MCData / MCVideo on or off for a partner's visitors here (some users, an organisation's, or all), at once or at a scheduled time; the partner is told.",
  })
  async setVisitorServices(
    @Ctx() context: SubgraphContext,
    @Arg('partner', () => String) partner: string,
    @Arg('enabled', () => [McServiceEnum], { description: 'The services enabled from then on (of those each visitor is authorised for).' }) enabled: McServiceEnum[],
    @Arg('userIds', () => [ID], { nullable: true }) userIds: string[] | null,
    @Arg('organisationId', () => ID, { nullable: true }) organisationId: string | null,
    @Arg('at', () => Date, { nullable: true, description: 'Default: at once.' }) at: Date | null,
  ): Promise<VisitorServicesChange> {
    const { access, principal } = requireCaller(context);
    const result = await context.services.requests.setVisitorServices(access, principal, partner, toggleBody(userIds, organisationId, enabled, at));
    return { changed: result.changed.map(authorisationView), scheduled: result.scheduled && scheduledView(result.scheduled) };
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => PartnerRequest, { nullable: true, description: "Asks a partner to turn services on or off for this system's users visiting there (needs VISITOR_SERVICES_TOGGLE)." })
  async requestVisitorServices(
    @Ctx() context: SubgraphContext,
    @Arg('partner', () => String) partner: string,
    @Arg('enabled', () => [McServiceEnum]) enabled: McServiceEnum[],
    @Arg('userIds', () => [ID], { nullable: true }) userIds: string[] | null,
    @Arg('organisationId', () => ID, { nullable: true }) organisationId: string | null,
    @Arg('at', () => Date, { nullable: true }) at: Date | null,
  ): Promise<PartnerRequest> {
    const { access, principal } = requireCaller(context);
    return requestView(await context.services.requests.requestVisitorServices(access, principal, partner, toggleBody(userIds, organisationId, enabled, at)));
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => RequestPolicyView, { nullable: true, description: "Sets how a kind of request from a partner ('*': every partner without its own policy) is handled." })
  async setRequestPolicy(
    @Ctx() context: SubgraphContext,
    @Arg('kind', () => String, { description: 'migration.authorise' }) kind: string,
    @Arg('partner', () => String) partner: string,
    @Arg('policy', () => RequestPolicyInput) policy: RequestPolicyInput,
  ): Promise<RequestPolicyView> {
    const { access, principal } = requireCaller(context);
    if (policy.mode !== 'automatic' && policy.mode !== 'manual') throw new McxError(ErrorCode.BAD_USER_INPUT, 'mode is automatic or manual', { field: 'mode' });
    const saved = await context.services.requests.setPolicy(access, principal, requestKind(kind), partner, {
      requesters: policy.requesters ?? null,
      responders: policy.responders ?? null,
      mode: policy.mode,
      maxUsers: policy.maxUsers,
      organisations: policy.organisations ?? null,
      services: (policy.services ?? null) as McService[] | null,
      maxDays: policy.maxDays,
      approvePart: policy.approvePart,
      pendingSeconds: policy.pendingSeconds,
      visitorGroups: policy.visitorGroups ?? [],
      visitorAliases: policy.visitorAliases ?? [],
      automaticUrgencies: urgencies(policy.automaticUrgencies ?? []),
    });
    return saved as RequestPolicyView;
  }
}
