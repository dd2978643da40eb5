/**
 * The system's root fields: `Query.<slug>`, `Mutation.<slug>` and `Subscription.<slug>`. The field
 * name is the system's slug, so N systems can be composed into one schema (see schema/README.md).
 */
import { Kind, type GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ErrorCode, McxError } from '../../../../domain/errors.js';
import { resultOf } from '../../services/audit-log.js';
import type { FeedEvent } from '../../services/feed-subscriptions.js';
import { requireCaller, type SubgraphContext } from '../context.js';
import { SharedChange } from '../types/sharing.js';
import { McxSystem, SystemMutations } from '../types/system.js';
import { parseCursor, sharedChangeView } from './feed-views.js';
import { systemView } from './views.js';

interface FeedArgs {
  partner?: string | null;
  after?: string | null;
}

/** The partner whose feed a subscriber follows: a partner its own; the owner's callers must name one. */
function feedPartner(context: SubgraphContext, args: FeedArgs): string {
  const { access } = requireCaller(context);
  if (args.partner) return args.partner;
  if (access.isOwner) throw new McxError(ErrorCode.BAD_USER_INPUT, 'name the partner whose view to follow (partner: "<slug>")', { field: 'partner' });
  return access.partner;
}

async function openFeed(context: SubgraphContext, args: FeedArgs): Promise<AsyncIterable<FeedEvent>> {
  const { principal } = requireCaller(context);
  const partner = feedPartner(context, args);
  try {
    const after = args.after === null || args.after === undefined ? null : parseCursor(args.after);
    return await context.services.subscriptions.open(principal, partner, after);
  } catch (error) {
    const { result, code, detail } = resultOf(error);
    if (result === 'DENIED') await context.services.audit.record(principal, { action: 'subscribe.denied', target: `feed:${partner}`, result, code, detail });
    throw error;
  }
}

function onlySignIn(info: GraphQLResolveInfo): boolean {
  const selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
  return selections.length > 0 && selections.every((s) => s.kind === Kind.FIELD && (s.name.value === 'signIn' || s.name.value === '__typename'));
}

export function createRootResolver(slug: string): new () => object {
  @Resolver()
  class RootResolver {
    @Query(() => McxSystem, { name: slug, description: `The MCX system "${slug}" and the configuration it owns.` })
    system(@Ctx() context: SubgraphContext): McxSystem {
      requireCaller(context);
      return systemView(context.services.identity);
    }

    @Mutation(() => SystemMutations, { name: slug, description: `Changes to the configuration of "${slug}".` })
    systemMutations(@Ctx() context: SubgraphContext, @Info() info: GraphQLResolveInfo): SystemMutations {
      // Signing in is the one mutation open without a caller (the password is the credential).
      if (!onlySignIn(info)) requireCaller(context);
      return { slug };
    }

    @Subscription(() => SharedChange, {
      name: slug,
      description:
        `Changes to what "${slug}" shares with a partner, as they are made (its change feed). A partner follows its own view ` +
        'while its agreement is active; the owner\'s callers follow any partner\'s. Ends with an error when the agreement stops being active.',
      subscribe: ({ args, context }) => openFeed(context as SubgraphContext, args as FeedArgs),
    })
    sharedChanges(
      @Root() event: FeedEvent,
      @Ctx() context: SubgraphContext,
      @Arg('partner', () => String, { nullable: true, description: "Whose view to follow. Default: the caller's own (a partner); the owner's callers must name one." })
      partner: string | null,
      @Arg('after', () => String, {
        nullable: true,
        description: 'Resume after this cursor (the last change already seen): the changes since then come first. Default: only changes from now on.',
      })
      _after: string | null,
    ): SharedChange {
      if (event.kind === 'end') throw event.error;
      return sharedChangeView(event.entry, feedPartner(context, { partner }));
    }
  }
  return RootResolver;
}
