import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { McServiceEnum } from './enums.js';
import { McServiceIds } from './user.js';

export enum UrgencyEnum {
  ROUTINE = 'ROUTINE',
  URGENT = 'URGENT',
  EMERGENCY = 'EMERGENCY',
}
registerEnumType(UrgencyEnum, { name: 'Urgency', description: 'How urgent a membership update is; a home system may handle some urgencies without a person.' });

export enum MembershipOperationEnum {
  ADD = 'add',
  REMOVE = 'remove',
}
registerEnumType(MembershipOperationEnum, { name: 'MembershipOperation' });

@ObjectType({ description: "What a member's own system shows the reader's system of the member." })
export class MemberDetails {
  @Field(() => ID, { description: "The user's id at its own system." }) id!: string;
  @Field(() => String) displayName!: string;
  @Field(() => ID) organisationId!: string;
  @Field(() => String, { nullable: true }) organisationName!: string | null;
  @Field(() => McServiceIds) mcServiceIds!: McServiceIds;
  @Field(() => [McServiceEnum]) enabledServices!: McServiceEnum[];
  @Field(() => String) securityDomain!: string;
  @Field(() => String, { nullable: true, description: 'Only when the member\'s system grants the reader\'s system CONTACT_READ for the user.' }) phone!: string | null;
  @Field(() => String, { nullable: true }) email!: string | null;
}

@ObjectType({ description: 'A member of a joint group: its home system, MC service ID and security domain, as every participant holds them.' })
export class JointGroupMember {
  @Field(() => String, { description: "Slug of the member's home system." }) system!: string;
  @Field(() => String) mcServiceId!: string;
  @Field(() => String, { nullable: true, description: "The member's security domain (KMS URI)." }) securityDomain!: string | null;
}

@ObjectType({ description: 'A partner a joint group was provided to (at the home), or a system taking part (at a participant).' })
export class JointGroupParticipant {
  @Field(() => String) partner!: string;
  @Field(() => String, { description: 'OFFERED, ACCEPTED, DECLINED, SUSPENDED or REMOVED.' }) status!: string;
  @Field(() => String, { nullable: true, description: 'The person or functional alias at the partner it was addressed to.' }) handler!: string | null;
  @Field(() => String, { nullable: true, description: 'Who accepted or declined it there.' }) decidedBy!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType({ description: "A joint (interconnection) group: a group homed at one system in which partners take part. The home alone changes it; every participant holds a copy." })
export class JointGroup {
  @Field(() => ID, { description: 'The MC service group ID.' }) groupId!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Slug of the home system (which alone changes the group).' }) homeSystem!: string;
  @Field(() => String, { description: 'home: this system owns it; participant: this system holds a copy.' }) role!: string;
  @Field(() => String, { description: 'ACTIVE or DISSOLVED; a copy also SUSPENDED (agreement suspended) or REMOVED.' }) status!: string;
  @Field(() => [McServiceEnum]) services!: McServiceEnum[];
  @Field(() => Int, { description: '1 (highest) to 255.' }) priority!: number;
  @Field(() => Int) memberLimit!: number;
  @Field(() => Int) memberCount!: number;
  @Field(() => Boolean) disabled!: boolean;
  @Field(() => Int, { description: 'The version of the shared state (the home increases it with every change).' }) version!: number;
  @Field(() => [JointGroupMember]) members!: JointGroupMember[];
  @Field(() => [JointGroupParticipant]) participants!: JointGroupParticipant[];
  @Field(() => String, { nullable: true, description: 'Why it was dissolved, removed or suspended.' }) reason!: string | null;
  @Field(() => Date) updatedAt!: Date;
}

@InputType({ description: 'A partner to provide a joint group to, optionally addressed to a person or functional alias there.' })
export class ProvideToInput {
  @Field(() => String) partner!: string;
  @Field(() => String, { nullable: true }) handler!: string | null;
}

@InputType({ description: "A joint group's configuration, set by its home." })
export class JointGroupInput {
  @Field(() => String) name!: string;
  @Field(() => [McServiceEnum]) services!: McServiceEnum[];
  @Field(() => Int, { defaultValue: 100, description: '1 (highest) to 255.' }) priority!: number;
  @Field(() => Int) memberLimit!: number;
  @Field(() => ID, { nullable: true }) organisationId!: string | null;
}

@InputType({ description: 'Changes to a joint group\'s configuration (only what is given changes).' })
export class JointGroupPatchInput {
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => [McServiceEnum], { nullable: true }) services!: McServiceEnum[] | null;
  @Field(() => Int, { nullable: true }) priority!: number | null;
  @Field(() => Int, { nullable: true }) memberLimit!: number | null;
  @Field(() => Boolean, { nullable: true }) disabled!: boolean | null;
}
