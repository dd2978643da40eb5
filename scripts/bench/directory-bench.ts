#!/usr/bin/env node
/**
 * Directory benchmark (loopback, autocannon): requests/s and p50/p99 latency of the same directory
 * query (alpha's 50 users with their groups) sent
 *   a) straight to alpha's subgraph (caller assertion for bravo, kind system),
 *   b) through the mutual-aid gateway as partner bravo (access rules apply, everything allowed),
 *   c) through @apollo/gateway (IntrospectAndCompose over the 3 subgraphs, in a process of its own),
 *   d) through the mutual-aid gateway as partner charlie (every one of the 50 phones is denied).
 * The targets run interleaved (a,b,c,d, a,b,c,d, ...) after a warm-up round; the medians over the
 * rounds are printed, with the ratios the performance aims are about (see docs/performance.md).
 *
 * Besides requests/s, each run measures the CPU time (utime+stime from /proc/<pid>/stat, Linux) the
 * gateway process (ours for b and d, the @apollo/gateway process for c) and alpha's subgraph process
 * (all targets) spent during the run, divided by the requests the run completed: CPU ms per request.
 * That is the gateways' own cost, which requests/s cannot show when alpha's subgraph is the limit.
 *
 *   npm run bench
 *   BENCH_ROUNDS=5 BENCH_SECONDS=5 BENCH_CONNECTIONS=10 node dist/scripts/bench/directory-bench.js
 *
 * The same file is also the @apollo/gateway process (`--apollo-gateway`, started by the benchmark).
 */
// @ts-ignore -- autocannon ships no type declarations; the small part used here is typed below.
import autocannonUntyped from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ASSERTION_HEADER } from '../../common/http-headers.js';
import type { Principal } from '../../domain/model.js';
import { loadOrCreateKeyPair } from '../../identity/keys.js';
import { gatewayIssuer, issueAssertion, issueCallerToken } from '../../identity/tokens.js';
import { startTopology, type Topology } from '../../cli/topology.js';
import { clockTicks, cpuTicks, machine, positiveInt, type ClockTicks } from './bench-support.js';

// ---------------------------------------------------------------------------------------------
// autocannon, as far as used here

interface AutocannonClient {
  setHeaders(headers: Record<string, string>): void;
}
interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}
interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  setupClient?: (client: AutocannonClient) => void;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;
const autocannon = autocannonUntyped as unknown as Autocannon;

// ---------------------------------------------------------------------------------------------
// settings

export const DIRECTORY_QUERY =
  '{ alpha { users(limit: 50) { id displayName organisation { id name } mcServiceIds { mcptt mcdata } enabledServices phone groups { groupId name } } } }';
const USERS = 50;
const GATEWAY_ID = 'mutual-aid';
/** Tokens and assertions are re-signed this often while a measurement runs (assertions live 60 s). */
const RESIGN_MS = 30_000;
/**
 * @apollo/gateway recomposes as often as the mutual-aid gateway does when no system changes (its
 * full refresh, 60 s by default); the mutual-aid gateway runs with its defaults, which also look for
 * joining or returning systems every second (one small GET per system).
 */
const APOLLO_POLL_MS = 60_000;




// ---------------------------------------------------------------------------------------------
// the @apollo/gateway process

interface ApolloGatewayConfig {
  gatewayId: string;
  gatewayKeyDir: string;
  principal: Principal;
  subgraphs: Array<{ name: string; url: string }>;
  pollMs: number;
}

async function runApolloGateway(config: ApolloGatewayConfig): Promise<void> {
  const { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const gatewayKey = loadOrCreateKeyPair(config.gatewayKeyDir).privateKey;

  // One assertion per subgraph, reused for half its life (as the mutual-aid gateway does).
  const signed = new Map<string, { token: Promise<string>; until: number }>();
  const assertionFor = (subgraph: string): Promise<string> => {
    const known = signed.get(subgraph);
    if (known && known.until > Date.now()) return known.token;
    const token = issueAssertion(gatewayKey, { gatewayId: config.gatewayId, subgraph, principal: config.principal });
    signed.set(subgraph, { token, until: Date.now() + RESIGN_MS });
    return token;
  };

  class AssertingDataSource extends RemoteGraphQLDataSource {
    constructor(private readonly subgraph: string, url: string) {
      super({ url });
    }

    override async willSendRequest(options: GraphQLDataSourceProcessOptions): Promise<void> {
      options.request.http?.headers.set(ASSERTION_HEADER, await assertionFor(this.subgraph));
    }
  }

  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({ subgraphs: config.subgraphs, pollIntervalInMs: config.pollMs }),
    buildService: ({ name, url }) => new AssertingDataSource(name, url!),
  });
  const server = new ApolloServer({ gateway: gateway as never });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  process.stdout.write(`READY ${url}\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

interface ApolloGatewayProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

async function startApolloGateway(config: ApolloGatewayConfig): Promise<ApolloGatewayProcess> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--apollo-gateway'], {
    env: { ...process.env, BENCH_APOLLO_GATEWAY: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`@apollo/gateway did not start in 30 s:\n${output.join('')}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /READY (\S+)/.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!.replace(/\/$/, ''));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`@apollo/gateway exited (${code}) before it was ready:\n${output.join('')}`));
    });
  });
  try {
    return { child, url: await ready, output };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// targets

type TargetId = 'a' | 'b' | 'c' | 'd';

interface Target {
  id: TargetId;
  label: string;
  url: string;
  /** Fresh credentials (called before each measurement and every RESIGN_MS during one). */
  headers: () => Promise<Record<string, string>>;
  expectDeniedPhones: boolean;
  /** The gateway process the requests pass through (none for a). */
  gatewayPid?: number;
}

interface GraphQLAnswer {
  data?: { alpha?: { users?: Array<Record<string, unknown>> } | null } | null;
  errors?: Array<{ message?: string; extensions?: { code?: string; deniedValues?: number } }>;
}

/** Sends the query once and checks the answer; returns the size of the answer body (bytes). */
async function verify(target: Target): Promise<number> {
  const fail = (why: string, body?: string): never => {
    throw new Error(`target ${target.id} (${target.label}) does not answer as expected: ${why}${body ? `\n  answer: ${body.slice(0, 1500)}` : ''}`);
  };
  const response = await fetch(target.url, {
    method: 'POST',
    headers: await target.headers(),
    body: JSON.stringify({ query: DIRECTORY_QUERY }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200) fail(`HTTP ${response.status}`, text);
  let answer: GraphQLAnswer;
  try {
    answer = JSON.parse(text) as GraphQLAnswer;
  } catch {
    return fail('the answer is not JSON', text);
  }
  const users = answer.data?.alpha?.users;
  if (!Array.isArray(users)) return fail('no data.alpha.users', text);
  if (users.length !== USERS) fail(`${users.length} users instead of ${USERS}`, text);
  // Every bench user has an MCPTT ID and is a member of its organisation's groups ("ops", "command").
  for (const user of users) {
    if (typeof user.id !== 'string' || typeof user.displayName !== 'string') fail('a user without id or displayName', text);
    const ids = user.mcServiceIds as { mcptt?: unknown } | null | undefined;
    if (typeof ids?.mcptt !== 'string') fail(`user ${String(user.id)} has no mcServiceIds.mcptt`, text);
    if (!Array.isArray(user.groups) || user.groups.length === 0) fail(`user ${String(user.id)} has no groups`, text);
  }
  const errors = answer.errors ?? [];
  if (target.expectDeniedPhones) {
    const withPhone = users.filter((u) => u.phone !== null);
    if (withPhone.length > 0) fail(`${withPhone.length} users have a phone, expected all ${USERS} phones to be null`, text);
    if (errors.length !== 1) fail(`${errors.length} errors, expected exactly one (FORBIDDEN_FIELD)`, text);
    if (errors[0]!.extensions?.code !== 'FORBIDDEN_FIELD') fail(`the error's code is ${String(errors[0]!.extensions?.code)}, expected FORBIDDEN_FIELD`, text);
  } else {
    const withoutPhone = users.filter((u) => typeof u.phone !== 'string');
    if (withoutPhone.length > 0) fail(`${withoutPhone.length} users have no phone, expected all ${USERS} phones`, text);
    if (errors.length > 0) fail(`${errors.length} errors, expected none`, text);
  }
  return Buffer.byteLength(text);
}

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** CPU ms of the gateway process per completed request (undefined: no gateway, or not readable). */
  gatewayCpuMs?: number;
  /** CPU ms of alpha's subgraph process per completed request (undefined: not readable). */
  subgraphCpuMs?: number;
}

interface CpuProbe {
  ticks: ClockTicks;
  subgraphPid: number | undefined;
}

/** CPU ms per request from two tick readings (undefined if either is missing or nothing completed). */
function cpuMsPerRequest(before: number | undefined, after: number | undefined, requests: number, ticks: ClockTicks): number | undefined {
  if (before === undefined || after === undefined || requests <= 0) return undefined;
  return ((after - before) * 1000) / ticks.perSecond / requests;
}

async function measure(target: Target, seconds: number, connections: number, cpu: CpuProbe): Promise<Measurement> {
  const clients: AutocannonClient[] = [];
  let headers = await target.headers();
  const resign = setInterval(() => {
    target
      .headers()
      .then((fresh) => {
        headers = fresh;
        for (const client of clients) client.setHeaders(headers);
      })
      .catch((error: unknown) => console.error(`could not re-sign the credentials of target ${target.id}:`, error));
  }, RESIGN_MS);
  try {
    const gatewayBefore = cpuTicks(target.gatewayPid);
    const subgraphBefore = cpuTicks(cpu.subgraphPid);
    const result = await autocannon({
      url: target.url,
      method: 'POST',
      headers,
      body: JSON.stringify({ query: DIRECTORY_QUERY }),
      connections,
      duration: seconds,
      setupClient: (client) => {
        clients.push(client);
      },
    });
    const gatewayAfter = cpuTicks(target.gatewayPid);
    const subgraphAfter = cpuTicks(cpu.subgraphPid);
    if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
      throw new Error(
        `target ${target.id} (${target.label}): ${result.errors} connection errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers in ${result.requests.total} requests`,
      );
    }
    const requests = result.requests.total; // completed requests
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests,
      gatewayCpuMs: cpuMsPerRequest(gatewayBefore, gatewayAfter, requests, cpu.ticks),
      subgraphCpuMs: cpuMsPerRequest(subgraphBefore, subgraphAfter, requests, cpu.ticks),
    };
  } finally {
    clearInterval(resign);
  }
}

// ---------------------------------------------------------------------------------------------
// report

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median of the measured values (undefined when none was measured). */
function medianDefined(values: Array<number | undefined>): number | undefined {
  const measured = values.filter((v): v is number => v !== undefined);
  return measured.length === 0 ? undefined : median(measured);
}

const cpuText = (ms: number | undefined) => (ms === undefined ? 'n/a' : ms.toFixed(2));
const pad = (text: string, width: number) => text.padEnd(width);
const lpad = (text: string, width: number) => text.padStart(width);

/** The machine, with its load average when the benchmark started (before its own processes). */

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const rounds = positiveInt('BENCH_ROUNDS', 5);
  const seconds = positiveInt('BENCH_SECONDS', 5);
  const connections = positiveInt('BENCH_CONNECTIONS', 10);
  const warmupSeconds = positiveInt('BENCH_WARMUP_SECONDS', seconds);

  const machineLines = machine();
  console.log('MCX directory benchmark');
  for (const line of machineLines) console.log(`  ${line}`);
  console.log(`  Run:    ${rounds} rounds x ${seconds} s per target, ${connections} connections, after a ${warmupSeconds} s warm-up per target`);
  console.log(`  Query:  ${DIRECTORY_QUERY}`);
  const ticks = clockTicks();
  console.log(`  CPU time: utime+stime from /proc/<pid>/stat, ${ticks.perSecond} ticks/s (${ticks.source})`);
  console.log('');

  const dataDir = mkdtempSync(join(tmpdir(), 'mcx-bench-'));
  let topology: Topology | undefined;
  let apollo: ApolloGatewayProcess | undefined;
  let stopping: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.allSettled([topology?.stop(), apollo ? stopChild(apollo.child) : undefined]);
      rmSync(dataDir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the benchmark's processes`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    console.log(`Starting alpha, bravo, charlie (seed bench) and the mutual-aid gateway (data dir ${dataDir}) ...`);
    topology = await startTopology({
      dataDir,
      gatewayId: GATEWAY_ID,
      systems: [
        { slug: 'alpha', name: 'Alpha', seed: 'bench' },
        { slug: 'bravo', name: 'Bravo', seed: 'bench' },
        { slug: 'charlie', name: 'Charlie', seed: 'bench' },
      ],
    });
    const subgraphUrl = (slug: string) => `${topology!.subgraphs.get(slug)!.url}/graphql`;
    const gatewayKeyDir = join(dataDir, 'gateway', 'keys');
    const gatewayKey = loadOrCreateKeyPair(gatewayKeyDir).privateKey;
    const systemKey = (slug: string) => loadOrCreateKeyPair(join(dataDir, slug, 'keys')).privateKey;
    const bravo: Principal = { system: 'bravo', kind: 'system', subject: 'bravo' };

    console.log('Starting @apollo/gateway (IntrospectAndCompose over alpha, bravo, charlie) ...');
    apollo = await startApolloGateway({
      gatewayId: GATEWAY_ID,
      gatewayKeyDir,
      principal: bravo,
      subgraphs: ['alpha', 'bravo', 'charlie'].map((name) => ({ name, url: subgraphUrl(name) })),
      pollMs: APOLLO_POLL_MS,
    });
    const alphaPid = topology.subgraphs.get('alpha')!.child.pid;
    const gatewayPid = topology.gateway.child.pid;
    const apolloPid = apollo.child.pid;
    console.log(`Processes: alpha subgraph pid ${alphaPid}, mutual-aid gateway pid ${gatewayPid}, @apollo/gateway pid ${apolloPid}`);
    const cpuProbe: CpuProbe = { ticks, subgraphPid: alphaPid };
    for (const [name, pid] of [['alpha subgraph', alphaPid], ['mutual-aid gateway', gatewayPid], ['@apollo/gateway', apolloPid]] as const) {
      if (cpuTicks(pid) === undefined) console.log(`  (the CPU time of ${name} cannot be read from /proc/${pid}/stat: its CPU columns show n/a)`);
    }

    const json = { 'content-type': 'application/json' };
    const systemToken = async (slug: string) =>
      issueCallerToken(systemKey(slug), { system: slug, kind: 'system', subject: slug, audience: gatewayIssuer(GATEWAY_ID), lifetimeSeconds: 300 });
    const targets: Target[] = [
      {
        id: 'a',
        label: 'alpha subgraph, direct',
        url: subgraphUrl('alpha'),
        headers: async () => ({ ...json, [ASSERTION_HEADER]: await issueAssertion(gatewayKey, { gatewayId: GATEWAY_ID, subgraph: 'alpha', principal: bravo }) }),
        expectDeniedPhones: false,
      },
      {
        id: 'b',
        label: 'mutual-aid gateway, bravo',
        url: `${topology.gatewayUrl}/graphql`,
        headers: async () => ({ ...json, authorization: `Bearer ${await systemToken('bravo')}` }),
        expectDeniedPhones: false,
        gatewayPid,
      },
      {
        id: 'c',
        label: '@apollo/gateway, bravo',
        url: apollo.url,
        headers: async () => json,
        expectDeniedPhones: false,
        gatewayPid: apolloPid,
      },
      {
        id: 'd',
        label: 'mutual-aid gateway, charlie (50 denied)',
        url: `${topology.gatewayUrl}/graphql`,
        headers: async () => ({ ...json, authorization: `Bearer ${await systemToken('charlie')}` }),
        expectDeniedPhones: true,
        gatewayPid,
      },
    ];

    console.log('Checking each target answers the query as expected ...');
    const sizes = new Map<TargetId, number>();
    for (const target of targets) {
      sizes.set(target.id, await verify(target));
      console.log(`  ${target.id}) ${pad(target.label, 40)} ok, ${sizes.get(target.id)} bytes`);
    }

    console.log(`Warm-up (${warmupSeconds} s per target) ...`);
    for (const target of targets) await measure(target, warmupSeconds, connections, cpuProbe);

    const results = new Map<TargetId, Measurement[]>(targets.map((t) => [t.id, []]));
    for (let round = 1; round <= rounds; round++) {
      const line: string[] = [];
      for (const target of targets) {
        const m = await measure(target, seconds, connections, cpuProbe);
        results.get(target.id)!.push(m);
        const cpuParts = [
          ...(target.gatewayPid !== undefined ? [`gw ${cpuText(m.gatewayCpuMs)}`] : []),
          `sg ${cpuText(m.subgraphCpuMs)}`,
        ];
        line.push(`${target.id} ${m.rps.toFixed(0)}/s (${cpuParts.join(', ')} ms/req)`);
      }
      console.log(`Round ${round}/${rounds}: ${line.join(', ')}`);
    }

    // The answers are still right after the load.
    for (const target of targets) await verify(target);

    const summary = new Map<TargetId, { rps: number; p50: number; p99: number; gatewayCpuMs?: number; subgraphCpuMs?: number }>();
    for (const target of targets) {
      const ms = results.get(target.id)!;
      summary.set(target.id, {
        rps: median(ms.map((m) => m.rps)),
        p50: median(ms.map((m) => m.p50)),
        p99: median(ms.map((m) => m.p99)),
        gatewayCpuMs: medianDefined(ms.map((m) => m.gatewayCpuMs)),
        subgraphCpuMs: medianDefined(ms.map((m) => m.subgraphCpuMs)),
      });
    }
    const rps = (id: TargetId) => summary.get(id)!.rps;
    const gwCpu = (id: TargetId) => summary.get(id)!.gatewayCpuMs;

    console.log('');
    console.log(`Results (median of ${rounds} rounds x ${seconds} s, ${connections} connections)`);
    for (const line of machineLines) console.log(`  ${line}`);
    console.log('');
    console.log(
      `  ${pad('target', 44)} ${lpad('req/s', 8)} ${lpad('p50 ms', 8)} ${lpad('p99 ms', 8)} ${lpad('bytes', 7)} ${lpad('gw cpu ms/req', 14)} ${lpad('subgraph cpu ms/req', 20)}`,
    );
    for (const target of targets) {
      const s = summary.get(target.id)!;
      const gw = target.gatewayPid === undefined ? '-' : cpuText(s.gatewayCpuMs);
      console.log(
        `  ${pad(`${target.id}) ${target.label}`, 44)} ${lpad(s.rps.toFixed(0), 8)} ${lpad(s.p50.toFixed(1), 8)} ${lpad(s.p99.toFixed(1), 8)} ${lpad(String(sizes.get(target.id)), 7)} ${lpad(gw, 14)} ${lpad(cpuText(s.subgraphCpuMs), 20)}`,
      );
    }
    console.log('');
    const ratio = (x: number) => x.toFixed(2);
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(`  b/a = ${ratio(rps('b') / rps('a'))}   (aim >= 0.70: ${verdict(rps('b') / rps('a') >= 0.7)})`);
    console.log(`  c/a = ${ratio(rps('c') / rps('a'))}`);
    console.log(`  b/c = ${ratio(rps('b') / rps('c'))}   (aim >= 2.00: ${verdict(rps('b') / rps('c') >= 2)})`);
    console.log(`  d/b = ${ratio(rps('d') / rps('b'))}   (cost of the denials: b/d = ${ratio(rps('b') / rps('d'))}, aim <= 1.50: ${verdict(rps('b') / rps('d') <= 1.5)})`);
    console.log('');
    console.log('  Gateway CPU time per request (gateway process utime+stime during a run / requests completed):');
    const [b, c, d] = [gwCpu('b'), gwCpu('c'), gwCpu('d')];
    if (b !== undefined && c !== undefined && b > 0) {
      console.log(`  gw cpu c/b = ${ratio(c / b)}   (@apollo/gateway spends ${ratio(c / b)}x our CPU per request; aim >= 2.00 in CPU per request: ${verdict(c / b >= 2)})`);
    } else {
      console.log('  gw cpu c/b = n/a   (CPU time not measured)');
    }
    if (b !== undefined && d !== undefined && b > 0) {
      console.log(`  gw cpu d/b = ${ratio(d / b)}   (cost of the denials in gateway CPU per request, aim <= 1.50: ${verdict(d / b <= 1.5)})`);
    } else {
      console.log('  gw cpu d/b = n/a   (CPU time not measured)');
    }
    const capacity = (ms: number | undefined) => (ms !== undefined && ms > 0 ? `${(1000 / ms).toFixed(0)}/s` : 'n/a');
    console.log(`  capacity (1000 / gw cpu ms per request = req/s one core could carry for the gateway alone): b ${capacity(b)}, c ${capacity(c)}, d ${capacity(d)}`);
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv.includes('--apollo-gateway')) {
  const raw = process.env.BENCH_APOLLO_GATEWAY;
  if (!raw) {
    console.error('--apollo-gateway is started by the benchmark (BENCH_APOLLO_GATEWAY is missing)');
    process.exit(2);
  }
  runApolloGateway(JSON.parse(raw) as ApolloGatewayConfig).catch((error: unknown) => {
    console.error('@apollo/gateway failed:', error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(`\nBenchmark aborted: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
