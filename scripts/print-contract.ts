/**
 * Prints the contract (the SDL every MCX system's subgraph publishes) to schema/contract.graphql.
 *   npm run schema:print            write the file
 *   node dist/scripts/print-contract.js --check   exit 1 when the file differs from the code
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contractSdl } from '../subgraphs/src/graphql/contract-sdl.js';

// Runs compiled, from dist/scripts/.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = join(root, 'schema', 'contract.graphql');
const sdl = await contractSdl();
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8');
  if (current !== sdl) {
    console.error(`${file} differs from the code: run npm run schema:print`);
    process.exit(1);
  }
  console.log(`${file} matches the code`);
} else {
  writeFileSync(file, sdl);
  console.log(`wrote ${file}`);
}
