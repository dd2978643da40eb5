/**
 * Starts a set of MCX systems (one subgraph process each) and a mutual-aid gateway process on
 * loopback, as `npm start` and the integration tests do. Each process is the real thing
 * (dist/subgraphs/src/main.js, dist/gateway/src/main.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateKeyPair, PUBLIC_KEY_FILE } from '../identity/keys.js';

// Works from dist/cli (compiled) and from cli/ (sources run by the test runner): the processes are always the compiled ones.
const ROOT_OR_DIST = dirname(dirname(fileURLToPath(import.meta.url)));
const DIST = basename(ROOT_OR_DIST) === 'dist' ? ROOT_OR_DIST : join(ROOT_OR_DIST, 'dist');
export const SUBGRAPH_MAIN = join(DIST, 'subgraphs', 'src', 'main.js');
export const GATEWAY_MAIN = join(DIST, 'gateway', 'src', 'main.js');

export interface SystemSpec {
  slug: string;
  name: string;
  /** 0: any free port. */
  port?: number;
  seed?: 'demo' | 'bench' | 'fanout' | 'migration' | null;
  /** Extra environment (DATABASE_URL, MCX_DB_SCHEMA, ...). */
  env?: Record<string, string>;
  /** Listed to the gateway, but started later with startSystem (a system that joins while running). */
  deferStart?: boolean;
}

export interface TopologySpec {
  dataDir: string;
  systems: SystemSpec[];
  gatewayId?: string;
  gatewayPort?: number;
  pollMs?: number;
  accessTtlMs?: number;
  /** Print the processes' output (prefixed); otherwise keep it for error messages. */
  echo?: boolean;
  /** Further endpoints the gateway is told about (slug=url), not started here. */
  extraSubgraphs?: Array<{ slug: string; url: string }>;
}

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  url: string;
  output: string[];
}

export interface Topology {
  gatewayUrl: string;
  gatewayId: string;
  subgraphs: Map<string, RunningProcess>;
  gateway: RunningProcess;
  /** Starts one more system (not yet known to the gateway unless its list includes it). */
  startSystem(spec: SystemSpec): Promise<RunningProcess>;
  stopProcess(proc: RunningProcess, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForHealth(proc: RunningProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${proc.output.join('')}`);
    try {
      const response = await fetch(`${proc.url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} did not become healthy in ${timeoutMs} ms:\n${proc.output.join('')}`);
}

function launch(name: string, script: string, args: string[], env: Record<string, string>, url: string, echo: boolean): RunningProcess {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output.push(text);
    if (output.length > 200) output.shift();
    if (echo) process.stdout.write(text.replace(/^(?=.)/gm, `[${name}] `).replace(/\[(\w+)\] \[\1\] /g, '[$1] '));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { name, child, url, output };
}

export async function stopProcess(proc: RunningProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = once(proc.child, 'exit');
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startTopology(spec: TopologySpec): Promise<Topology> {
  const gatewayId = spec.gatewayId ?? 'mutual-aid';
  const gatewayKeyDir = join(spec.dataDir, 'gateway', 'keys');
  loadOrCreateKeyPair(gatewayKeyDir);
  const trusted = `${gatewayId}=${join(gatewayKeyDir, PUBLIC_KEY_FILE)}`;
  const echo = spec.echo ?? false;
  const subgraphs = new Map<string, RunningProcess>();

  const ports = new Map<string, number>();
  for (const system of spec.systems) ports.set(system.slug, system.port && system.port > 0 ? system.port : await freePort());
  const gatewayPort = spec.gatewayPort && spec.gatewayPort > 0 ? spec.gatewayPort : await freePort();
  // Every system's key exists before any starts: seeded agreements pin their partners' keys.
  for (const system of spec.systems) loadOrCreateKeyPair(join(spec.dataDir, system.slug, 'keys'));
  const startSystem = async (system: SystemSpec): Promise<RunningProcess> => {
    const port = ports.get(system.slug) ?? (system.port && system.port > 0 ? system.port : await freePort());
    const args = ['--slug', system.slug, '--name', system.name, '--port', String(port), '--data-dir', spec.dataDir, '--trusted-gateway', trusted];
    args.push('--outbound-gateway', `${gatewayId}=http://127.0.0.1:${gatewayPort}`);
    if (system.seed) args.push('--seed', system.seed);
    const proc = launch(system.slug, SUBGRAPH_MAIN, args, system.env ?? {}, `http://127.0.0.1:${port}`, echo);
    subgraphs.set(system.slug, proc);
    await waitForHealth(proc);
    return proc;
  };

  const all: RunningProcess[] = [];
  try {
    for (const system of spec.systems) if (!system.deferStart) all.push(await startSystem(system));
    const gatewayArgs = ['--id', gatewayId, '--port', String(gatewayPort), '--data-dir', spec.dataDir, '--poll-ms', String(spec.pollMs ?? 1000), '--access-ttl-ms', String(spec.accessTtlMs ?? 500)];
    for (const system of spec.systems) gatewayArgs.push('--subgraph', `${system.slug}=http://127.0.0.1:${ports.get(system.slug)}`);
    for (const extra of spec.extraSubgraphs ?? []) gatewayArgs.push('--subgraph', `${extra.slug}=${extra.url}`);
    const gateway = launch('gateway', GATEWAY_MAIN, gatewayArgs, {}, `http://127.0.0.1:${gatewayPort}`, echo);
    all.push(gateway);
    await waitForHealth(gateway);
    return {
      gatewayUrl: gateway.url,
      gatewayId,
      subgraphs,
      gateway,
      startSystem: async (system) => startSystem(system),
      stopProcess,
      stop: async () => {
        await Promise.all([gateway, ...subgraphs.values()].map((p) => stopProcess(p)));
      },
    };
  } catch (error) {
    await Promise.all([...all, ...subgraphs.values()].map((p) => stopProcess(p)));
    throw error;
  }
}
