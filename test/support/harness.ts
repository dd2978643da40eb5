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

  constructor(private readonly store: StoreKind) {
    this.dataDir = mkdtempSync(join(tmpdir(), 'mcx-it-'));
  }

  systemEnv(slug: string): Record<string, string> {
    // An empty DATABASE_URL keeps a child on SQLite even when the test run has one set.
    if (this.store !== 'postgres') return { DATABASE_URL: '' };
    const schema = `it_${randomBytes(4).toString('hex')}_${slug}`;
    this.schemas.push(schema);
    return { DATABASE_URL: process.env.DATABASE_URL!, MCX_DB_SCHEMA: schema };
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
