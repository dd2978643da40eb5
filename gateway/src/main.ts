#!/usr/bin/env node
/**
 * The mutual-aid gateway as a process.
 *   node dist/gateway/src/main.js --port 4000 --data-dir ./data \
 *     --subgraph north=http://127.0.0.1:4101 --subgraph south=http://127.0.0.1:4102
 * Environment instead of flags: MCX_GATEWAY_ID, MCX_GATEWAY_PORT, MCX_HOST, MCX_DATA_DIR,
 * MCX_SUBGRAPHS (slug=url,...), MCX_POLL_MS (look for joined/left/returning systems, default 1000),
 * MCX_FULL_REFRESH_MS (recompose anyway, default 60000), MCX_ACCESS_TTL_MS.
 */
import '../../common/production-mode.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopOnSignals } from '../../common/process-signals.js';
import { validateSlug } from '../../domain/validation.js';
import { startGateway } from './gateway.js';
import type { SubgraphEndpoint } from './system-registry.js';

export function parseSubgraphs(specs: string[]): SubgraphEndpoint[] {
  return specs
    .flatMap((spec) => spec.split(','))
    .filter((entry) => entry.trim().length > 0)
    .map((entry) => {
      const at = entry.indexOf('=');
      if (at < 0) throw new Error(`--subgraph takes slug=url, got "${entry}"`);
      return { slug: validateSlug(entry.slice(0, at).trim()), url: entry.slice(at + 1).trim().replace(/\/(graphql)?$/, '') };
    });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      id: { type: 'string', default: process.env.MCX_GATEWAY_ID ?? 'mutual-aid' },
      host: { type: 'string', default: process.env.MCX_HOST ?? '127.0.0.1' },
      port: { type: 'string', default: process.env.MCX_GATEWAY_PORT ?? '4000' },
      'data-dir': { type: 'string', default: process.env.MCX_DATA_DIR ?? './data' },
      subgraph: { type: 'string', multiple: true, default: process.env.MCX_SUBGRAPHS ? [process.env.MCX_SUBGRAPHS] : [] },
      'poll-ms': { type: 'string', default: process.env.MCX_POLL_MS ?? '1000' },
      'full-refresh-ms': { type: 'string', default: process.env.MCX_FULL_REFRESH_MS ?? '60000' },
      'access-ttl-ms': { type: 'string', default: process.env.MCX_ACCESS_TTL_MS ?? '500' },
    },
  });
  const subgraphs = parseSubgraphs(values.subgraph!);
  if (subgraphs.length === 0) throw new Error('name at least one --subgraph slug=url (or MCX_SUBGRAPHS)');
  const gateway = await startGateway({
    id: values.id!,
    host: values.host!,
    port: Number(values.port),
    keyDir: join(values['data-dir']!, 'gateway', 'keys'),
    subgraphs: () => subgraphs,
    pollingIntervalMs: Number(values['poll-ms']),
    fullRefreshMs: Number(values['full-refresh-ms']),
    accessTtlMs: Number(values['access-ttl-ms']),
  });
  console.log(`[gateway] ${gateway.url}/graphql (GraphiQL: ${gateway.url}/graphiql, health: ${gateway.url}/health)`);
  stopOnSignals(() => gateway.close());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
