import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { AccessScopeEnum, AgreementStatusEnum, McServiceEnum } from './enums.js';
import { MemberRef } from './group.js';

/** The fields every feed entry has: a base class, not in the schema itself (no field returns it). */
@ObjectType()
export abstract class FeedPosition {
  @Field(() => String, { description: 'Position in the feed: ask for the entries after it.' })
  cursor!: string;

  @Field(() => String, { description: 'user, group, all (with op reset), agreement or request (with op notify).' })
  entity!: string;

  @Field(() => String, { description: 'upsert (the object as the partner may see it), delete, reset (forget all, a full copy follows), or notify (a step of the agreement).' })
  op!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;
}

@ObjectType({ description: 'One entry of the change feed a system keeps for a partner.' })
export class ChangeEntry extends FeedPosition {
  @Field(() => String, { nullable: true, description: 'The object as JSON (SharedUser or SharedGroup), for upserts.' })
  payload!: string | null;
}

@ObjectType()
export class ChangePage {
  @Field(() => [ChangeEntry])
  entries!: ChangeEntry[];

  @Field(() => String, { description: 'The cursor to continue from (the last entry returned, or the one asked for).' })
  cursor!: string;

  @Field(() => Boolean)
  hasMore!: boolean;
}

@ObjectType({ description: 'A user as a partner shares it (a read-only copy).' })
export class SharedUser {
  @Field(() => ID) id!: string;
  @Field(() => String) displayName!: string;
  @Field(() => ID) organisationId!: string;
  @Field(() => String, { nullable: true }) mcptt!: string | null;
  @Field(() => String, { nullable: true }) mcdata!: string | null;
  @Field(() => String, { nullable: true }) mcvideo!: string | null;
  @Field(() => [String]) functionalAliases!: string[];
  @Field(() => [McServiceEnum]) enabledServices!: McServiceEnum[];
  @Field(() => String) securityDomain!: string;
  @Directive('@access(requires: CONTACT_READ)') @Field(() => String, { nullable: true }) phone!: string | null;
  @Directive('@access(requires: CONTACT_READ)') @Field(() => String, { nullable: true }) email!: string | null;
  @Field(() => String, { description: "When the owner last changed it (ISO-8601)." }) updatedAt!: string;
}

@ObjectType({ description: 'A group as a partner shares it (a read-only copy).' })
export class SharedGroup {
  @Field(() => ID) groupId!: string;
  @Field(() => String) name!: string;
  @Field(() => String) homeSystem!: string;
  @Field(() => ID, { nullable: true }) organisationId!: string | null;
  @Field(() => [McServiceEnum]) services!: McServiceEnum[];
  @Directive('@access(requires: GROUP_CONFIG_READ)') @Field(() => [MemberRef], { nullable: true }) members!: MemberRef[] | null;
  @Directive('@access(requires: GROUP_CONFIG_READ)') @Field(() => Int, { nullable: true }) memberLimit!: number | null;
  @Directive('@access(requires: GROUP_CONFIG_READ)') @Field(() => Boolean, { nullable: true }) disabled!: boolean | null;
  @Field(() => String) updatedAt!: string;
}

@ObjectType({ description: 'A change to what a system shares with a partner, pushed to subscribers as it is made.' })
export class SharedChange extends FeedPosition {
  @Field(() => String, { description: 'The partner whose view of the system this change is.' })
  partner!: string;

  @Field(() => SharedUser, { nullable: true, description: 'The user as the partner may see it now (upserts of users).' })
  user!: SharedUser | null;

  @Field(() => SharedGroup, { nullable: true, description: 'The group as the partner may see it now (upserts of groups).' })
  group!: SharedGroup | null;

  @Field(() => String, { nullable: true, description: 'For a step of the agreement itself (entity agreement, op notify): propose, accept, decline, suspend, resume, terminate, grants or rotate.' })
  agreementStep!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'For a message about a request (entity request, op notify; id: the request id): request, response, withdraw, authorisations.ended, services.changed or services.scheduled.',
  })
  requestStep!: string | null;

  @Field(() => String, { nullable: true, description: 'For a message about a joint group (entity jointGroup, op notify; id: the group ID): jointGroup.state or jointGroup.removed.' })
  jointGroupStep!: string | null;
}

@ObjectType({ description: "This system's read-only copy of what one partner shares with it." })
export class PartnerReplica {
  @Field(() => String) partner!: string;
  @Field(() => String, { description: "The partner's feed cursor applied last." }) appliedThrough!: string;
  @Field(() => Int, { description: 'Changes applied since the copy began.' }) appliedChanges!: number;
  @Field(() => Date) lastAppliedAt!: Date;
  @Field(() => Float, { description: 'Seconds since the last change was applied.' }) ageSeconds!: number;
  @Field(() => [SharedUser]) users!: SharedUser[];
  @Field(() => [SharedGroup]) groups!: SharedGroup[];
}

@ObjectType({ description: 'How far a partner has received what this system shares with it.' })
export class DeliveryStatus {
  @Field(() => String) partner!: string;
  @Field(() => String) deliveredThrough!: string;
  @Field(() => Int) pending!: number;
  @Field(() => Float, { nullable: true, description: 'Age of the oldest undelivered change, in seconds.' }) oldestPendingAgeSeconds!: number | null;
  @Field(() => Int, { description: 'Failed attempts since the last success.' }) attempts!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => Date, { nullable: true }) lastAttemptAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastSuccessAt!: Date | null;
  @Field(() => Date, { nullable: true }) nextAttemptAt!: Date | null;
}

@ObjectType()
export class DeliveryReceipt {
  @Field(() => String, { description: "The sender's feed cursor applied last." }) appliedThrough!: string;
  @Field(() => Int, { description: 'Changes applied from this batch (0 for a repeat).' }) applied!: number;
}

@ObjectType({ description: "What a partner may see of this system's users and groups now (the same views its feed shares)." })
export class PartnerDirectory {
  @Field(() => String) partner!: string;
  @Field(() => AgreementStatusEnum, { nullable: true }) agreementStatus!: AgreementStatusEnum | null;
  @Field(() => [AccessScopeEnum], { description: 'The scopes in force for the partner now.' }) scopes!: AccessScopeEnum[];
  @Field(() => [SharedUser]) users!: SharedUser[];
  @Field(() => [SharedGroup]) groups!: SharedGroup[];
}
