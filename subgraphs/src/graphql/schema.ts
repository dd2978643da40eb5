/**
 * Builds the contract schema for one system: type-graphql classes -> SDL -> Apollo subgraph schema
 * (Federation 1 SDL with `extend type Query { <slug>: McxSystem! }` and the same for Mutation).
 */
import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { Kind, parse, type DefinitionNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { ACCESS_DIRECTIVE_SDL } from '../../../schema/contract-version.js';
import { validateSlug } from '../../../domain/validation.js';
import { GroupResolver } from './resolvers/group-resolver.js';
import { createRootResolver } from './resolvers/root-resolver.js';
import { ReceiveChangesResolver, SharingResolver } from './resolvers/sharing-resolver.js';
import { SystemMutationsResolver } from './resolvers/system-mutations-resolver.js';
import { SystemResolver } from './resolvers/system-resolver.js';
import { UserResolver } from './resolvers/user-resolver.js';

const ROOT_TYPES = new Set(['Query', 'Mutation']);

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

export async function buildSystemSchema(slug: string): Promise<GraphQLSchema> {
  validateSlug(slug);
  const typeGraphqlSchema = await buildSchema({
    resolvers: [createRootResolver(slug), SystemResolver, UserResolver, GroupResolver, SystemMutationsResolver, SharingResolver, ReceiveChangesResolver],
    validate: false,
  });
  const typeDefs: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [...parse(ACCESS_DIRECTIVE_SDL).definitions, ...asRootExtensions(parse(printSchemaWithDirectives(typeGraphqlSchema)))],
  };
  return buildSubgraphSchema({ typeDefs, resolvers: createResolversMap(typeGraphqlSchema) as never });
}
