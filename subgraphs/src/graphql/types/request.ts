import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { McServiceEnum } from './enums.js';

export enum RequestStatusEnum {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  PARTLY_APPROVED = 'PARTLY_APPROVED',
  REJECTED = 'REJECTED',
  WITHDRAWN = 'WITHDRAWN',
  EXPIRED = 'EXPIRED',
}
registerEnumType(RequestStatusEnum, { name: 'RequestStatus' });

export enum RequestDirectionEnum {
  INBOUND = 'inbound',
  OUTBOUND = 'outbound',
}
registerEnumType(RequestDirectionEnum, { name: 'RequestDirection', description: 'inbound: a partner asked this system; outbound: this system asked a partner.' });

export enum DecisionEnum {
  APPROVE = 'APPROVE',
  APPROVE_PART = 'APPROVE_PART',
  REJECT = 'REJECT',
}
registerEnumType(DecisionEnum, { name: 'Decision' });

@ObjectType({ description: 'A user that a request could not have approved, and why.' })
export class RefusedUser {
  @Field(() => ID) userId!: string;
  @Field(() => String) code!: string;
  @Field(() => String) reason!: string;
}

@ObjectType()
export class Requester {
  @Field(() => String) system!: string;
  @Field(() => String) subject!: string;
}

@ObjectType({ description: 'A request between systems (migration authorisation or removal), on either side.' })
export class PartnerRequest {
  @Field(() => ID) id!: string;
  @Field(() => RequestDirectionEnum) direction!: RequestDirectionEnum;
  @Field(() => String) partner!: string;
  @Field(() => String, { description: 'migration.authorise, migration.remove, services.toggle, group.provide or group.members.' }) kind!: string;
  @Field(() => RequestStatusEnum) status!: RequestStatusEnum;
  @Field(() => Requester) requester!: Requester;
  @Field(() => String, { nullable: true, description: 'The person or functional alias at the deciding system it is addressed to.' }) handler!: string | null;
  @Field(() => Int) userCount!: number;
  @Field(() => [ID], { description: 'The users named (at most the first 500).' }) userIds!: string[];
  @Field(() => [McServiceEnum], { nullable: true, description: 'Migration: the services asked for; a change of services: those enabled from then on.' }) services!: McServiceEnum[] | null;
  @Field(() => Date, { nullable: true, description: 'A change of services: when it takes effect (null: at once).' }) at!: Date | null;
  @Field(() => Date, { nullable: true }) validFrom!: Date | null;
  @Field(() => Date, { nullable: true }) validUntil!: Date | null;
  @Field(() => [ID], { nullable: true, description: 'Once decided: the users approved (or removed).' }) approved!: string[] | null;
  @Field(() => [RefusedUser], { nullable: true }) refused!: RefusedUser[] | null;
  @Field(() => String, { nullable: true, description: 'Who handled it: a person of the deciding system, or its policy.' }) decidedBy!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'Inbound and pending: when it expires if nobody decides.' }) decideBy!: Date | null;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
  @Field(() => ID, { nullable: true, description: 'group.provide and group.members: the joint group.' }) groupId!: string | null;
  @Field(() => String, { nullable: true, description: 'group.provide: the group\'s name.' }) groupName!: string | null;
  @Field(() => String, { nullable: true, description: 'group.members: add or remove.' }) operation!: string | null;
  @Field(() => String, { nullable: true, description: 'group.members: ROUTINE, URGENT or EMERGENCY.' }) urgency!: string | null;
}

@ObjectType({ description: 'A user authorised to migrate: a partner\'s user here (inbound), or this system\'s user at a partner (outbound).' })
export class MigrationAuthorisation {
  @Field(() => RequestDirectionEnum) direction!: RequestDirectionEnum;
  @Field(() => String) partner!: string;
  @Field(() => ID) userId!: string;
  @Field(() => String) displayName!: string;
  @Field(() => ID) organisationId!: string;
  @Field(() => String) mcServiceId!: string;
  @Field(() => String, { description: "The user's home security domain (KMS URI)." }) securityDomain!: string;
  @Field(() => [McServiceEnum], { description: 'Services authorised.' }) services!: McServiceEnum[];
  @Field(() => [McServiceEnum], { description: 'Of those, enabled now.' }) enabledServices!: McServiceEnum[];
  @Field(() => Date) validFrom!: Date;
  @Field(() => Date) validUntil!: Date;
  @Field(() => String, { description: 'ACTIVE, REMOVED, REVOKED or EXPIRED.' }) status!: string;
  @Field(() => ID) requestId!: string;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ description: "This system's rules for one kind of request with a partner: who may send it, how it is handled when the partner sends it, who decides." })
export class RequestPolicyView {
  @Field(() => [String], { nullable: true, description: 'Who of this system may send this kind of request to the partner (null: every administrator).' }) requesters!: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Who of this system may decide it (null: every administrator).' }) responders!: string[] | null;
  @Field(() => String, { description: 'automatic or manual.' }) mode!: string;
  @Field(() => Int) maxUsers!: number;
  @Field(() => [ID], { nullable: true }) organisations!: string[] | null;
  @Field(() => [McServiceEnum], { nullable: true }) services!: McServiceEnum[] | null;
  @Field(() => Float) maxDays!: number;
  @Field(() => Boolean) approvePart!: boolean;
  @Field(() => Int) pendingSeconds!: number;
  @Field(() => [ID]) visitorGroups!: string[];
  @Field(() => [String]) visitorAliases!: string[];
  @Field(() => [String], { description: 'group.members in manual mode: urgencies still handled automatically (ROUTINE, URGENT, EMERGENCY).' }) automaticUrgencies!: string[];
}

@ObjectType({ description: "The user profile a partner's user uses while migrated here, issued when its migration was authorised." })
export class VisitingProfile {
  @Field(() => ID) userId!: string;
  @Field(() => String, { description: "The user's home system." }) homeSystem!: string;
  @Field(() => String) displayName!: string;
  @Field(() => String, { description: "The user's MC service ID (from home)." }) mcServiceId!: string;
  @Field(() => String, { description: "The user's home security domain (KMS URI)." }) homeSecurityDomain!: string;
  @Field(() => String, { description: "This system's security domain (KMS URI), where the visitor is served." }) securityDomain!: string;
  @Field(() => [McServiceEnum], { description: 'Services authorised.' }) authorisedServices!: McServiceEnum[];
  @Field(() => [McServiceEnum], { description: 'Of those, enabled now.' }) enabledServices!: McServiceEnum[];
  @Field(() => [ID], { description: "This system's groups the visitor may use." }) groups!: string[];
  @Field(() => [String], { description: 'Functional aliases of the visitor here.' }) aliases!: string[];
  @Field(() => Date) validFrom!: Date;
  @Field(() => Date) validUntil!: Date;
  @Field(() => String, { description: 'ACTIVE, REMOVED, REVOKED or EXPIRED.' }) status!: string;
  @Field(() => Date) issuedAt!: Date;
  @Field(() => String, { description: 'The profile as an XML user-profile document (TS 24.484 style; docs/requests.md).' }) document!: string;
}

@InputType()
export class RequestPolicyInput {
  @Field(() => [String], { nullable: true, description: "Who of this system may send this kind of request to the partner: administrators' subjects (null: every administrator)." }) requesters!: string[] | null;
  @Field(() => [String], { nullable: true, description: "Who of this system may decide it: administrators' subjects, e.g. their MC service IDs (null: every administrator)." }) responders!: string[] | null;
  @Field(() => String, { description: 'automatic: decided at once by these rules; manual: queued for an administrator.' }) mode!: string;
  @Field(() => Int, { defaultValue: 10_000 }) maxUsers!: number;
  @Field(() => [ID], { nullable: true, description: "Only users of these organisations of the requester." }) organisations!: string[] | null;
  @Field(() => [McServiceEnum], { nullable: true }) services!: McServiceEnum[] | null;
  @Field(() => Float, { defaultValue: 30, description: 'Longest authorisation, in days.' }) maxDays!: number;
  @Field(() => Boolean, { defaultValue: false, description: 'Automatic handling approves the valid users of a partly valid list (otherwise it is refused whole).' }) approvePart!: boolean;
  @Field(() => Int, { defaultValue: 86_400, description: 'A pending request expires after this many seconds.' }) pendingSeconds!: number;
  @Field(() => [ID], { defaultValue: [], description: "This system's groups a visitor may use (in the visiting profiles issued)." }) visitorGroups!: string[];
  @Field(() => [String], { defaultValue: [], description: 'Functional aliases a visitor gets here.' }) visitorAliases!: string[];
  @Field(() => [String], { defaultValue: [], description: 'group.members in manual mode: these urgencies are still handled automatically, e.g. ["EMERGENCY"].' }) automaticUrgencies!: string[];
}

@ObjectType({ description: "A change of visitors' services scheduled for later (on the hosting side, and its copy at the visitors' home)." })
export class ScheduledServiceChange {
  @Field(() => ID) id!: string;
  @Field(() => RequestDirectionEnum, { description: "inbound: this system's visitors from the partner; outbound: this system's users visiting the partner." }) direction!: RequestDirectionEnum;
  @Field(() => String) partner!: string;
  @Field(() => [ID], { nullable: true }) userIds!: string[] | null;
  @Field(() => ID, { nullable: true }) organisationId!: string | null;
  @Field(() => [McServiceEnum]) enabled!: McServiceEnum[];
  @Field(() => Date) at!: Date;
  @Field(() => String, { description: 'PENDING or APPLIED.' }) status!: string;
  @Field(() => String) requestedBy!: string;
}

@ObjectType()
export class VisitorServicesChange {
  @Field(() => [MigrationAuthorisation], { description: 'The visitors changed now.' }) changed!: MigrationAuthorisation[];
  @Field(() => ScheduledServiceChange, { nullable: true, description: 'The change scheduled, when it takes effect later.' }) scheduled!: ScheduledServiceChange | null;
}
