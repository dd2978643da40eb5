import { Field, ID, ObjectType } from 'type-graphql';
import { AuditResultEnum, CallerKindEnum } from './enums.js';

@ObjectType({ description: 'One administrative step, including refused attempts.' })
export class AuditEntry {
  @Field(() => ID)
  id!: number;

  @Field(() => Date)
  at!: Date;

  @Field(() => String)
  actorSystem!: string;

  @Field(() => CallerKindEnum)
  actorKind!: CallerKindEnum;

  @Field(() => String)
  actorSubject!: string;

  @Field(() => String, { description: 'What was done, e.g. user.create, group.members.add, read.denied.' })
  action!: string;

  @Field(() => String, { description: 'What it was done to, e.g. user:u-1, group:sip:...' })
  target!: string;

  @Field(() => AuditResultEnum)
  result!: AuditResultEnum;

  @Field(() => String, { nullable: true, description: 'Error code when refused or failed.' })
  code!: string | null;

  @Field(() => String, { nullable: true })
  detail!: string | null;
}
