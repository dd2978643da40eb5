import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { AccessScopeEnum, AgreementStatusEnum, McServiceEnum } from './enums.js';

@ObjectType({ description: 'One scope granted under an agreement. A null restriction does not restrict; an empty list allows nothing.' })
export class ScopeGrant {
  @Field(() => AccessScopeEnum)
  scope!: AccessScopeEnum;

  @Field(() => [ID], { nullable: true, description: 'Only users and groups of these organisations.' })
  organisations!: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Only these groups (group IDs).' })
  groups!: string[] | null;

  @Field(() => [McServiceEnum], { nullable: true, description: 'Only these services.' })
  services!: McServiceEnum[] | null;
}

@InputType()
export class ScopeGrantInput {
  @Field(() => AccessScopeEnum)
  scope!: AccessScopeEnum;

  @Field(() => [ID], { nullable: true })
  organisations!: string[] | null;

  @Field(() => [ID], { nullable: true })
  groups!: string[] | null;

  @Field(() => [McServiceEnum], { nullable: true })
  services!: McServiceEnum[] | null;
}

@ObjectType({ description: "A partner's security parameters, exchanged under the agreement." })
export class PartnerParameters {
  @Field(() => ID, { description: 'URN of the partner system.' })
  systemId!: string;

  @Field(() => String)
  domain!: string;

  @Field(() => String, { description: "KMS URI of the partner's users (their security domain)." })
  securityDomain!: string;

  @Field(() => String, { description: 'Where the partner is reached (its gateway GraphQL endpoint).' })
  endpoint!: string;

  @Field(() => String, { description: "The partner's public key (PEM), pinned: its messages must be signed with it." })
  publicKey!: string;
}

@ObjectType({ description: "This system's interconnection agreement with a partner system." })
export class Agreement {
  @Field(() => ID, { description: 'Slug of the partner system.' })
  partnerSystem!: string;

  @Field(() => String)
  partnerName!: string;

  @Field(() => AgreementStatusEnum, { description: 'Status now (an active agreement past its validity is EXPIRED).' })
  status!: AgreementStatusEnum;

  @Field(() => Date, { nullable: true })
  validFrom!: Date | null;

  @Field(() => Date, { nullable: true })
  validUntil!: Date | null;

  @Field(() => String, { nullable: true, description: "The partner's pinned public-key fingerprint." })
  partnerKeyFingerprint!: string | null;

  @Field(() => [ScopeGrant], { description: 'What this system grants the partner.' })
  grantedToPartner!: ScopeGrant[];

  @Field(() => [ScopeGrant], { description: 'What the partner grants this system.' })
  grantedByPartner!: ScopeGrant[];

  @Field(() => String, { nullable: true, description: 'The system that proposed it (null: made beforehand).' })
  proposedBy!: string | null;

  @Field(() => Boolean, { description: "This system's administrators confirmed the partner's key fingerprint (needed before accepting)." })
  fingerprintConfirmed!: boolean;

  @Field(() => String, { nullable: true, description: 'While suspended: the system that asked to resume (the other must resume too).' })
  resumeRequestedBy!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it was declined, suspended, terminated or expired.' })
  statusReason!: string | null;

  @Field(() => PartnerParameters, { nullable: true, description: "The partner's security parameters as it sent them (null: made beforehand)." })
  partnerParameters!: PartnerParameters | null;

  @Field(() => Date)
  updatedAt!: Date;
}

@ObjectType({ description: 'What a partner may do in this system now.' })
export class Access {
  @Field(() => String, { description: 'The owning system.' })
  owner!: string;

  @Field(() => String, { description: "The caller's (or asked-about partner's) system." })
  partner!: string;

  @Field(() => Boolean, { description: 'The caller belongs to the owning system.' })
  isOwner!: boolean;

  @Field(() => AgreementStatusEnum, { nullable: true })
  agreementStatus!: AgreementStatusEnum | null;

  @Field(() => [ScopeGrant], { description: 'Grants in force now.' })
  grants!: ScopeGrant[];
}
