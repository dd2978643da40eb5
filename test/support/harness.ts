/** Helpers for integration tests: real processes on loopback, real tokens, plain HTTP. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadOrCreateKeyPair } from '../../identity/keys.js';
import { gatewayIssuer, issueAssertion, issueCallerToken } from '../../identity/tokens.js';
import type { CallerKind, Principal } from '../../domain/model.js';
import { dropPostgresSchema } from '../../subgraphs/src/store/database.js';
import { startTopology, type SystemSpec, type Topology, type TopologySpec } from '../../cli/topology.js';
import { ASSERTION_HEADER } from '../../common/http-headers.js';
import { DEMO_SYSTEMS } from '../../subgraphs/src/seed/demo-seed.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; [k: string]: unknown } }> };
  text: string;
}

export type StoreKind = 'sqlite' | 'postgres';

/** The stores to run against: SQLite always, PostgreSQL when DATABASE_URL is set. */
export const STORES: StoreKind[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export class TestTopology {
  readonly dataDir: string;
  topology!: Topology;
  private readonly schemas: string[] = [];
  private readonly envs = new Map<string, Record<string, string>>();

  constructor(private readonly store: StoreKind) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'mcx-it-'));
  }

  /** The environment of a system's process: the same every time the system (re)starts. */
  systemEnv(slug: string): Record<string, string> {
    let env = this.envs.get(slug);
    if (env === undefined) {
      // An empty DATABASE_URL keeps a child on SQLite even when the test run has one set.
      env = { DATABASE_URL: '' };
      if (this.store === 'postgres') {
        const schema = `it_${randomBytes(4).toString('hex')}_${slug}`;
        this.schemas.push(schema);
        env = { DATABASE_URL: process.env.DATABASE_URL!, MCX_DB_SCHEMA: schema };
      }
      this.envs.set(slug, env);
    }
    return env;
  }

  /** Stops a system's process (SIGTERM, or SIGKILL to simulate a crash). */
  async stopSystem(slug: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.topology.stopProcess(this.topology.subgraphs.get(slug)!, signal);
  }

  /** Starts a stopped system again, with its data, port and environment. */
  async restartSystem(slug: string, name = slug): Promise<void> {
    await this.topology.startSystem({ slug, name, env: this.systemEnv(slug) });
  }

  /** Polls `check` until it returns true (or throws with `what` after `timeoutMs`). */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for: ${what}`);
  }

  /** The three demo systems on their demo data, with the quick polling and access TTL the tests use. */
  startDemo(): Promise<this> {
    return this.start({
      pollMs: 300,
      accessTtlMs: 200,
      systems: (['north', 'south', 'east'] as const).map((slug) => ({ slug, name: DEMO_SYSTEMS[slug].name, seed: 'demo' as const })),
    });
  }

  async start(spec: Omit<TopologySpec, 'dataDir'>): Promise<this> {
    const systems: SystemSpec[] = spec.systems.map((s) => ({ ...s, env: { ...this.systemEnv(s.slug), ...s.env } }));
    this.topology = await startTopology({ ...spec, systems, dataDir: this.dataDir });
    return this;
  }

  async stop(): Promise<void> {
    await this.topology?.stop();
    for (const schema of this.schemas) await dropPostgresSchema(process.env.DATABASE_URL!, schema);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A caller token as the system's own CLI would issue it. */
  token(system: string, kind: CallerKind, options: { subject?: string; audience?: string; lifetimeSeconds?: number } = {}): Promise<string> {
    const keys = loadOrCreateKeyPair(join(this.dataDir, system, 'keys'));
    return issueCallerToken(keys.privateKey, {
      system,
      kind,
      subject: options.subject ?? (kind === 'admin' ? `admin@${system}` : system),
      audience: options.audience ?? gatewayIssuer(this.topology.gatewayId),
      ...(options.lifetimeSeconds !== undefined && { lifetimeSeconds: options.lifetimeSeconds }),
    });
  }

  /** An assertion signed with this topology's gateway key, as the gateway would forward it. */
  assertion(subgraph: string, principal: Principal): Promise<string> {
    const keys = loadOrCreateKeyPair(join(this.dataDir, 'gateway', 'keys'));
    return issueAssertion(keys.privateKey, { gatewayId: this.topology.gatewayId, subgraph, principal });
  }

  gateway<T = Record<string, any>>(query: string, options: { token?: string; variables?: Record<string, unknown> } = {}): Promise<GraphQLResponse<T>> {
    return post(`${this.topology.gatewayUrl}/graphql`, { query, variables: options.variables }, options.token ? { authorization: `Bearer ${options.token}` } : {});
  }

  subgraph<T = Record<string, any>>(slug: string, query: string, options: { assertion?: string; variables?: Record<string, unknown> } = {}): Promise<GraphQLResponse<T>> {
    const url = this.topology.subgraphs.get(slug)!.url;
    return post(`${url}/graphql`, { query, variables: options.variables }, options.assertion ? { [ASSERTION_HEADER]: options.assertion } : {});
  }
}

export async function post<T>(url: string, body: unknown, headers: Record<string, string>): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

export function codes(response: GraphQLResponse): string[] {
  return (response.body.errors ?? []).map((e) => String(e.extensions?.code));
}

/** No error text may leak internals. */
export function expectNoLeak(response: GraphQLResponse): void {
  const text = response.text;
  if (/\n\s+at |stacktrace|SQLITE|sqlite3|select .* from|syntax error at or near|node_modules/i.test(text)) {
    throw new Error(`response leaks internals: ${text.slice(0, 500)}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
