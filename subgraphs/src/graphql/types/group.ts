import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { McServiceEnum } from './enums.js';
import { Organisation } from './organisation.js';

@ObjectType({ description: 'A reference to a user of any system: the system and the MC service ID.' })
export class MemberRef {
  @Field(() => String, { description: 'Slug of the member\'s home system.' })
  system!: string;

  @Field(() => String)
  mcServiceId!: string;
}

@InputType()
export class MemberRefInput {
  @Field(() => String)
  system!: string;

  @Field(() => String)
  mcServiceId!: string;
}

@ObjectType({ description: 'An MC service group.' })
export class Group {
  @Field(() => ID, { description: 'The MC service group ID (a SIP URI).' })
  groupId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Slug of the group\'s home system.' })
  homeSystem!: string;

  @Field(() => Organisation, { nullable: true })
  organisation!: Organisation | null;

  @Field(() => [McServiceEnum])
  services!: McServiceEnum[];

  @Directive('@access(requires: GROUP_CONFIG_READ)')
  @Field(() => [MemberRef], { nullable: true })
  members!: MemberRef[] | null;

  @Directive('@access(requires: GROUP_CONFIG_READ)')
  @Field(() => Int, { nullable: true })
  memberLimit!: number | null;

  @Directive('@access(requires: GROUP_CONFIG_READ)')
  @Field(() => Boolean, { nullable: true })
  disabled!: boolean | null;

  @Field(() => Date)
  updatedAt!: Date;
}
