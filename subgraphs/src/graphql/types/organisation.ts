import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A Mission Critical Organisation served by an MCX system (fire, police, ...).' })
export class Organisation {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Kind of organisation, e.g. fire, police, civil-protection.' })
  kind!: string;
}
