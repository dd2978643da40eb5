/**
 * Signing in (the console's first step: open to callers without a token, the one field that is) and
 * this system's administrators' accounts (its own administrators and the system itself only).
 */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Directive, Field, FieldResolver, Info, ObjectType, Resolver } from 'type-graphql';
import { decideOwnerOnly } from '../../../../domain/access.js';
import { accessIfAllowed, requireCaller, type SubgraphContext } from '../context.js';
import { McxSystem, SystemMutations } from '../types/system.js';

@ObjectType({ description: "An administrator's token, issued by the administrator's own system." })
export class SignIn {
  @Field(() => String, { description: 'Send it as "Authorization: Bearer <token>" (and in connection_init for subscriptions).' }) token!: string;
  @Field(() => Date) expiresAt!: Date;
  @Field(() => String, { description: 'The administrator (the subject in audit entries and policies).' }) subject!: string;
}

@Resolver(() => McxSystem)
export class AdministratorQueriesResolver {
  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => [String], { nullable: true, description: "This system's administrators (usernames)." })
  async administrators(@Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): Promise<string[] | null> {
    if (accessIfAllowed(context, info, (a) => decideOwnerOnly(a, 'read its administrators')) === null) return null;
    return context.services.store.administrators.list();
  }
}

@Resolver(() => SystemMutations)
export class AdministratorMutationsResolver {
  @FieldResolver(() => SignIn, {
    nullable: true,
    description: "Signs an administrator of this system in: the system checks the password and issues the administrator's token (8 hours). The only operation open without a token; wrong passwords lock the account for a minute after 5 in a row.",
  })
  signIn(@Ctx() context: SubgraphContext, @Arg('username', () => String) username: string, @Arg('password', () => String) password: string): Promise<SignIn> {
    return context.services.administrators.signIn(username, password);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => String, { nullable: true, description: 'Creates an administrator account or sets its password (at least 12 characters).' })
  setAdministrator(@Ctx() context: SubgraphContext, @Arg('username', () => String) username: string, @Arg('password', () => String) password: string): Promise<string> {
    const { access, principal } = requireCaller(context);
    return context.services.administrators.set(access, principal, username, password);
  }

  @Directive('@access(ownerOnly: true)')
  @FieldResolver(() => Boolean, { nullable: true })
  removeAdministrator(@Ctx() context: SubgraphContext, @Arg('username', () => String) username: string): Promise<boolean> {
    const { access, principal } = requireCaller(context);
    return context.services.administrators.remove(access, principal, username);
  }
}
