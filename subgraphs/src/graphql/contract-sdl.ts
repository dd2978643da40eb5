/** The contract as text: the SDL a system publishes, printed for the placeholder slug `example`. */
import { printSubgraphSchema } from '@apollo/subgraph';
import { CONTRACT_VERSION } from '../../../schema/contract-version.js';
import { buildSystemSchema } from './schema.js';

export const CONTRACT_EXAMPLE_SLUG = 'example';

export async function contractSdl(): Promise<string> {
  const schema = await buildSystemSchema(CONTRACT_EXAMPLE_SLUG);
  return `# mcx-mutual-aid contract version ${CONTRACT_VERSION}
# The SDL that every MCX system's configuration subgraph publishes (printed from the code by
# \`npm run schema:print\`; test/unit/contract-drift.test.ts fails when the two differ).
# Each system publishes it with its own slug in place of "${CONTRACT_EXAMPLE_SLUG}" in
# \`extend type Query\` and \`extend type Mutation\`.

${printSubgraphSchema(schema).trim()}
`;
}
