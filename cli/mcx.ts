#!/usr/bin/env node
/**
 * mcx: the command line of mcx-mutual-aid.
 *   mcx demo  [--data-dir ./data] [--port 4000] [--base-port 4101]   start north, south, east + the gateway
 *   mcx keys  --owner <slug>|gateway [--data-dir ./data]                  create (or show) a key pair, print its fingerprint
 *   mcx token --system <slug> --role admin|system [--subject <name>] [--data-dir ./data]
 *             [--gateway-id mutual-aid] [--lifetime <seconds>]           print a bearer token
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrCreateKeyPair } from '../identity/keys.js';
import { gatewayIssuer, issueCallerToken, MAX_TOKEN_LIFETIME_S } from '../identity/tokens.js';
import { validateSlug } from '../domain/validation.js';
import { DEMO_SYSTEMS, demoAdministrator } from '../subgraphs/src/seed/demo-seed.js';
import { startTopology } from './topology.js';
import { existsSync } from 'node:fs';

const USAGE = `usage:
  mcx demo  [--data-dir ./data] [--port 4000] [--base-port 4101]
  mcx keys  --owner <slug>|gateway [--data-dir ./data]
  mcx token --system <slug> --role admin|system [--subject <name>] [--data-dir ./data] [--gateway-id mutual-aid] [--lifetime <s>]`;

async function token(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      system: { type: 'string' },
      role: { type: 'string', default: 'admin' },
      subject: { type: 'string' },
      'data-dir': { type: 'string', default: process.env.MCX_DATA_DIR ?? './data' },
      'gateway-id': { type: 'string', default: process.env.MCX_GATEWAY_ID ?? 'mutual-aid' },
      lifetime: { type: 'string' },
    },
  });
  if (!values.system) throw new Error(`--system is required\n${USAGE}`);
  const slug = validateSlug(values.system);
  const role = values.role;
  if (role !== 'admin' && role !== 'system') throw new Error('--role is admin or system');
  const keyDir = join(values['data-dir']!, slug, 'keys');
  if (!existsSync(join(keyDir, 'private-key.pem'))) {
    throw new Error(`no key of system "${slug}" in ${keyDir}: start the system first (npm start) or name its --data-dir`);
  }
  const keys = loadOrCreateKeyPair(keyDir);
  const lifetime = values.lifetime ? Number(values.lifetime) : role === 'system' ? MAX_TOKEN_LIFETIME_S.system : 8 * 3600;
  console.log(
    await issueCallerToken(keys.privateKey, {
      system: slug,
      kind: role,
      subject: values.subject ?? (role === 'admin' ? `admin@${slug}` : slug),
      audience: gatewayIssuer(values['gateway-id']!),
      lifetimeSeconds: lifetime,
    }),
  );
}

async function keys(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { owner: { type: 'string' }, 'data-dir': { type: 'string', default: process.env.MCX_DATA_DIR ?? './data' } },
  });
  if (!values.owner) throw new Error(`--owner is required\n${USAGE}`);
  const owner = values.owner === 'gateway' ? 'gateway' : validateSlug(values.owner);
  const dir = join(values['data-dir']!, owner, 'keys');
  const pair = loadOrCreateKeyPair(dir);
  console.log(`${owner}: ${pair.fingerprint} (${dir})`);
}

async function demo(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: process.env.MCX_DATA_DIR ?? './data' },
      port: { type: 'string', default: process.env.MCX_GATEWAY_PORT ?? '4000' },
      'base-port': { type: 'string', default: process.env.MCX_BASE_PORT ?? '4101' },
    },
  });
  const base = Number(values['base-port']);
  const dataDir = values['data-dir']!;
  const slugs = Object.keys(DEMO_SYSTEMS) as Array<keyof typeof DEMO_SYSTEMS>;
  const topology = await startTopology({
    dataDir,
    echo: true,
    gatewayPort: Number(values.port),
    systems: slugs.map((slug, i) => ({ slug, name: DEMO_SYSTEMS[slug].name, port: base + i, seed: 'demo' })),
  });
  const tokenCmd = (slug: string, role: string) => `node dist/cli/mcx.js token --system ${slug} --role ${role} --data-dir ${dataDir}`;
  console.log(`
mcx-mutual-aid demo is running (SQLite data in ${dataDir}):
  console   ${topology.gatewayUrl}/console/  (sign in as ${slugs.map((slug) => `${demoAdministrator(slug).username} / ${demoAdministrator(slug).password}`).join(', ')})
  gateway   ${topology.gatewayUrl}/graphql
  GraphiQL  ${topology.gatewayUrl}/graphiql
  health    ${topology.gatewayUrl}/health
  metrics   ${topology.gatewayUrl}/metrics (and /metrics on each system)
${slugs.map((slug) => `  ${slug.padEnd(9)} ${topology.subgraphs.get(slug)!.url}/graphql  (${DEMO_SYSTEMS[slug].name})`).join('\n')}

Tokens (send as "Authorization: Bearer <token>"):
  ${tokenCmd('north', 'admin')}
  ${tokenCmd('south', 'system')}
Press Ctrl-C to stop.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await topology.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const proc of [topology.gateway, ...topology.subgraphs.values()]) {
    proc.child.on('exit', (code) => {
      if (!stopping) {
        console.error(`${proc.name} stopped unexpectedly (exit ${code}); stopping the demo`);
        void stop();
      }
    });
  }
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = { token, keys, demo };
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(USAGE);
  process.exit(2);
}
run(rest).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
