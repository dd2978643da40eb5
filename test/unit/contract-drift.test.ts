import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractSdl } from '../../subgraphs/src/graphql/contract-sdl.js';
import { CONTRACT_VERSION } from '../../schema/contract-version.js';
import { buildSystemSchema } from '../../subgraphs/src/graphql/schema.js';
import { printSubgraphSchema } from '@apollo/subgraph';

describe('the contract', () => {
  it('schema/contract.graphql is what the code publishes (run npm run schema:print after a change)', async () => {
    const checkedIn = readFileSync(new URL('../../schema/contract.graphql', import.meta.url), 'utf8');
    expect(checkedIn).toBe(await contractSdl());
    expect(checkedIn).toContain(`contract version ${CONTRACT_VERSION}`);
  });

  it('puts each system under its own root field of extended Query, Mutation and Subscription types', async () => {
    const sdl = printSubgraphSchema(await buildSystemSchema('north'));
    expect(sdl).toMatch(/extend type Query \{[^}]*\bnorth: McxSystem!/);
    expect(sdl).toMatch(/extend type Mutation \{[^}]*\bnorth: SystemMutations!/);
    expect(sdl).toMatch(/extend type Subscription \{[\s\S]*?\bnorth\([\s\S]*?\): SharedChange!\n\}/);
    expect(sdl).not.toMatch(/\bexample(\([^)]*\))?: (McxSystem|SystemMutations|SharedChange)/);
  });

  it('carries the access directives to the gateway', async () => {
    const sdl = await contractSdl();
    expect(sdl).toContain('directive @access(requires: AccessScope, ownerOnly: Boolean = false) on FIELD_DEFINITION');
    expect(sdl).toMatch(/phone: String @access\(requires: CONTACT_READ\)/);
    expect(sdl).toMatch(/createUser\([^)]*\): User @access\(ownerOnly: true\)/);
  });
});
