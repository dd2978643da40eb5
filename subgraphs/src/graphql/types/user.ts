import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { McServiceEnum } from './enums.js';
import { Organisation } from './organisation.js';

@ObjectType({ description: "A user's MC service IDs (SIP URIs), per service." })
export class McServiceIds {
  @Field(() => String, { nullable: true })
  mcptt!: string | null;

  @Field(() => String, { nullable: true })
  mcdata!: string | null;

  @Field(() => String, { nullable: true })
  mcvideo!: string | null;
}

@ObjectType({ description: 'A user of an MCX system.' })
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => Organisation)
  organisation!: Organisation;

  @Field(() => McServiceIds, { description: 'Only the services the reader is granted are shown.' })
  mcServiceIds!: McServiceIds;

  @Field(() => [String], { description: 'Functional aliases (role URIs) the user may take.' })
  functionalAliases!: string[];

  @Field(() => [McServiceEnum])
  enabledServices!: McServiceEnum[];

  @Field(() => String, { description: "The user's security domain: the KMS URI." })
  securityDomain!: string;

  @Directive('@access(requires: CONTACT_READ)')
  @Field(() => String, { nullable: true, description: 'Personal data.' })
  phone!: string | null;

  @Directive('@access(requires: CONTACT_READ)')
  @Field(() => String, { nullable: true, description: 'Personal data.' })
  email!: string | null;

  @Field(() => Date)
  updatedAt!: Date;
}
