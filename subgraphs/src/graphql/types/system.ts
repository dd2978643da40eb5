import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'An MCX system and the configuration it owns. Each system publishes this type under its own root field (its slug).',
})
export class McxSystem {
  @Field(() => ID, { description: 'Stable identifier (a URN).' })
  id!: string;

  @Field(() => String, { description: 'The root field name of this system in the composed schema.' })
  slug!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The system\'s domain, e.g. mcx.north.example.' })
  domain!: string;

  @Field(() => String, { description: "KMS URI of this system's users (their security domain)." })
  securityDomain!: string;

  @Field(() => String, { description: 'The contract (subgraph schema) version this system publishes.' })
  contractVersion!: string;

  @Field(() => String, { description: "The system's Ed25519 public key (PEM)." })
  publicKey!: string;

  @Field(() => String, { description: 'Fingerprint of the public key, in groups people can read out over the phone.' })
  publicKeyFingerprint!: string;

  @Field(() => String, { nullable: true, description: 'After a key rotation: the previous public key (PEM), still accepted until previousKeyValidUntil.' })
  previousPublicKey!: string | null;

  @Field(() => Date, { nullable: true })
  previousKeyValidUntil!: Date | null;
}

@ObjectType({ description: "Changes to one system's configuration. Each field is executed by the owning system alone." })
export class SystemMutations {
  @Field(() => String, { description: 'The system the mutations apply to.' })
  slug!: string;
}

@ObjectType({ description: "The outcome of rotating this system's signing key." })
export class KeyRotation {
  @Field(() => String, { description: 'Fingerprint of the new key.' })
  fingerprint!: string;

  @Field(() => String)
  previousFingerprint!: string;

  @Field(() => Date, { description: 'Until when the previous key is still accepted by partners and gateways.' })
  previousValidUntil!: Date;

  @Field(() => [String], { description: 'The partners told (every agreement still open).' })
  partnersTold!: string[];
}
