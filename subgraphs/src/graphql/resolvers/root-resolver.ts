/**
 * The system's root fields: `Query.<slug>` and `Mutation.<slug>`. The field name is the system's
 * slug, so N systems can be composed into one schema (see schema/README.md).
 */
import { Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { requireCaller, type SubgraphContext } from '../context.js';
import { McxSystem, SystemMutations } from '../types/system.js';
import { systemView } from './views.js';

export function createRootResolver(slug: string): new () => object {
  @Resolver()
  class RootResolver {
    @Query(() => McxSystem, { name: slug, description: `The MCX system "${slug}" and the configuration it owns.` })
    system(@Ctx() context: SubgraphContext): McxSystem {
      requireCaller(context);
      return systemView(context.services.identity);
    }

    @Mutation(() => SystemMutations, { name: slug, description: `Changes to the configuration of "${slug}".` })
    systemMutations(@Ctx() context: SubgraphContext): SystemMutations {
      requireCaller(context);
      return { slug };
    }
  }
  return RootResolver;
}
