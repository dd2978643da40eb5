/**
 * Builds the contract schema for one system: type-graphql classes -> SDL -> Apollo subgraph schema
 * (Federation 1 SDL with `extend type Query { <slug>: McxSystem! }` and the same for Mutation and Subscription).
 */
import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { Kind, parse, type DefinitionNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type PubSub } from 'type-graphql';
import { ACCESS_DIRECTIVE_SDL } from '../../../schema/contract-version.js';
import { validateSlug } from '../../../domain/validation.js';
import { AdministratorMutationsResolver, AdministratorQueriesResolver } from './resolvers/administrators-resolver.js';
import { AgreementMutationsResolver } from './resolvers/agreement-mutations-resolver.js';
import { GroupResolver } from './resolvers/group-resolver.js';
import { JointGroupMemberResolver, JointGroupMutationsResolver, JointGroupQueriesResolver, JointGroupResolver } from './resolvers/joint-group-resolver.js';
import { RequestMutationsResolver, RequestQueriesResolver } from './resolvers/request-resolver.js';
import { createRootResolver } from './resolvers/root-resolver.js';
import { ReceiveChangesResolver, SharingResolver } from './resolvers/sharing-resolver.js';
import { SystemMutationsResolver } from './resolvers/system-mutations-resolver.js';
import { SystemResolver } from './resolvers/system-resolver.js';
import { UserResolver } from './resolvers/user-resolver.js';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/** Root types become extensions: without it the gateway composes, but only the last system's root fields survive. */
function asRootExtensions(document: DocumentNode): DefinitionNode[] {
  return document.definitions.map((definition) => {
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && ROOT_TYPES.has(definition.name.value)) {
      const { description: _description, ...rest } = definition;
      return { ...rest, kind: Kind.OBJECT_TYPE_EXTENSION };
    }
    return definition;
  });
}

/**
 * type-graphql insists on a PubSub once there is a @Subscription, even when every subscription
 * brings its own `subscribe` (ours follow the change feed in the store, so that every process on a
 * store sees every change). Topic-based subscriptions are not used: this one refuses them.
 */
const NO_TOPICS: PubSub = {
  publish() {
    throw new Error('topic subscriptions are not used: subscriptions follow the change feed');
  },
  subscribe() {
    throw new Error('topic subscriptions are not used: subscriptions follow the change feed');
  },
};

export async function buildSystemSchema(slug: string): Promise<GraphQLSchema> {
  validateSlug(slug);
  const typeGraphqlSchema = await buildSchema({
    resolvers: [createRootResolver(slug), AdministratorQueriesResolver, AdministratorMutationsResolver, SystemResolver, UserResolver, GroupResolver, SystemMutationsResolver, AgreementMutationsResolver, RequestQueriesResolver, RequestMutationsResolver, JointGroupQueriesResolver, JointGroupResolver, JointGroupMemberResolver, JointGroupMutationsResolver, SharingResolver, ReceiveChangesResolver],
    validate: false,
    pubSub: NO_TOPICS,
  });
  const typeDefs: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [...parse(ACCESS_DIRECTIVE_SDL).definitions, ...asRootExtensions(parse(printSchemaWithDirectives(typeGraphqlSchema)))],
  };
  return buildSubgraphSchema({ typeDefs, resolvers: createResolversMap(typeGraphqlSchema) as never });
}
