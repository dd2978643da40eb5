#!/usr/bin/env node
/**
 * One MCX system's configuration subgraph as a process.
 *   node dist/subgraphs/src/main.js --slug north --name "North Fire & Rescue" --port 4101 \
 *     --data-dir ./data --trusted-gateway mutual-aid=./data/gateway/keys/public-key.pem [--seed demo]
 * Environment instead of flags: MCX_SLUG, MCX_NAME, MCX_DOMAIN, MCX_PORT, MCX_HOST, MCX_DATA_DIR,
 * MCX_TRUSTED_GATEWAYS (id=path,...), MCX_SEED. DATABASE_URL selects PostgreSQL (schema MCX_DB_SCHEMA,
 * default the slug) instead of SQLite. --outbound-gateway id=url (MCX_OUTBOUND_GATEWAY): the gateway through
 * which the system delivers its change feed to partners.
 */
import '../../common/production-mode.js';
import { parseArgs } from 'node:util';
import { stopOnSignals } from '../../common/process-signals.js';
import { readPublicKeyFile } from '../../identity/keys.js';
import type { TrustedGateway } from '../../identity/tokens.js';
import type { OutboundGateway } from './services/delivery-worker.js';
import { defaultSubgraphConfig, startSubgraph, type SeedName } from './subgraph.js';

function trustedGateways(spec: string): TrustedGateway[] {
  return spec
    .split(',')
    .filter((entry) => entry.trim().length > 0)
    .map((entry) => {
      const [id, path] = entry.split('=');
      if (!id || !path) throw new Error(`--trusted-gateway takes id=path-to-public-key.pem, got "${entry}"`);
      return { id: id.trim(), publicKey: readPublicKeyFile(path.trim()) };
    });
}

function outboundGateway(spec: string): OutboundGateway {
  const at = spec.indexOf('=');
  if (at < 1) throw new Error(`--outbound-gateway takes id=url, got "${spec}"`);
  return { id: spec.slice(0, at), url: spec.slice(at + 1).replace(/\/(graphql)?$/, '') };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      slug: { type: 'string', default: process.env.MCX_SLUG },
      name: { type: 'string', default: process.env.MCX_NAME },
      domain: { type: 'string', default: process.env.MCX_DOMAIN },
      host: { type: 'string', default: process.env.MCX_HOST ?? '127.0.0.1' },
      port: { type: 'string', default: process.env.MCX_PORT ?? '4101' },
      'data-dir': { type: 'string', default: process.env.MCX_DATA_DIR ?? './data' },
      'trusted-gateway': { type: 'string', multiple: true, default: process.env.MCX_TRUSTED_GATEWAYS ? [process.env.MCX_TRUSTED_GATEWAYS] : [] },
      seed: { type: 'string', default: process.env.MCX_SEED },
      'outbound-gateway': { type: 'string', default: process.env.MCX_OUTBOUND_GATEWAY },
      'peer-keys': { type: 'string', default: process.env.MCX_PEER_KEYS },
    },
  });
  if (!values.slug) throw new Error('--slug (or MCX_SLUG) is required');
  if (values.seed !== undefined && !['demo', 'bench', 'fanout', 'migration'].includes(values.seed)) throw new Error('--seed is demo, bench, fanout or migration');
  const databaseUrl = process.env.DATABASE_URL;
  const config = defaultSubgraphConfig(values.slug, values['data-dir']!, {
    ...(values.domain && { domain: values.domain }),
    host: values.host!,
    port: Number(values.port),
    trustedGateways: values['trusted-gateway']!.flatMap(trustedGateways),
    seed: (values.seed as SeedName | undefined) ?? null,
    outboundGateway: values['outbound-gateway'] ? outboundGateway(values['outbound-gateway']) : null,
    ...(values['peer-keys'] && { peerKeyDir: values['peer-keys'] }),
  });
  config.name = values.name ?? config.slug;
  if (databaseUrl) config.store = { kind: 'postgres', url: databaseUrl, schema: process.env.MCX_DB_SCHEMA ?? values.slug };
  if (config.trustedGateways.length === 0) console.warn(`[${config.slug}] no trusted gateway: every GraphQL request will be unauthenticated`);
  const running = await startSubgraph(config);
  console.log(`[${running.slug}] configuration subgraph on ${running.url}/graphql (${config.store.kind}); key fingerprint ${running.identity.keys.current.fingerprint}`);
  stopOnSignals(() => running.close());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
