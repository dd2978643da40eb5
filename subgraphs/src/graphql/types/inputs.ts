import { Field, ID, InputType, Int } from 'type-graphql';
import { McServiceEnum } from './enums.js';

@InputType({ description: 'A user. The system assigns the id.' })
export class UserInput {
  @Field(() => String)
  displayName!: string;

  @Field(() => ID)
  organisationId!: string;

  @Field(() => String, { nullable: true })
  mcpttId!: string | null;

  @Field(() => String, { nullable: true })
  mcdataId!: string | null;

  @Field(() => String, { nullable: true })
  mcvideoId!: string | null;

  @Field(() => [String], { defaultValue: [] })
  functionalAliases!: string[];

  @Field(() => [McServiceEnum])
  enabledServices!: McServiceEnum[];

  @Field(() => String, { description: 'KMS URI.' })
  securityDomain!: string;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;
}

@InputType({ description: 'A group\'s configuration.' })
export class GroupInput {
  @Field(() => String)
  name!: string;

  @Field(() => ID, { nullable: true })
  organisationId!: string | null;

  @Field(() => [McServiceEnum])
  services!: McServiceEnum[];

  @Field(() => Int)
  memberLimit!: number;

  @Field(() => Boolean, { defaultValue: false })
  disabled!: boolean;
}
