#!/usr/bin/env node
/**
 * Propagation benchmark (loopback, real processes): how fast a change in one system's directory
 * reaches the partners it shares it with, through the mutual-aid gateway (each subgraph delivers its
 * change feed with --outbound-gateway), and how fast a partner catches up after an outage.
 *
 * 1. Latency to 1, 3 and 10 partners (one topology each: `hub` + p01..pNN, seed `fanout`, SQLite):
 *    one `updateUser` at a time, sent straight to hub's subgraph (hub-admin assertion); the change
 *    has reached a partner when the partner's replica row of that user holds the new display name.
 *    Latency to N partners = from just before the mutation is sent until the last of the N has it.
 * 2. Catch-up: hub + p01; p01 is stopped, hub makes 10,000 changes, p01 is started again; time until
 *    hub reports nothing pending for p01 and p01's replica cursor equals hub's delivered cursor.
 *
 *   npm run bench            (runs the directory benchmark too)
 *   PROP_CHANGES=200 node dist/scripts/bench/propagation-bench.js
 *
 * Settings (environment): PROP_CHANGES (200), PROP_WARMUP (10), PROP_PARTNERS ("1,3,10"),
 * PROP_POLL_MS (2), PROP_PROBE ("sqlite" | "graphql"), CATCHUP_ROUNDS (3), CATCHUP_CHANGES (10000), CATCHUP_BATCH (100),
 * PROP_GATEWAY_POLL_MS (1000) and PROP_GATEWAY_ACCESS_TTL_MS (500): the gateway's settings (its defaults),
 * CATCHUP_POLL_MS (20), CATCHUP_TRACE (1: print the hub's delivery status as it changes during the catch-up),
 * PROP_SKIP_CATCHUP / PROP_SKIP_LATENCY (1 to skip a part). See docs/performance.md.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ASSERTION_HEADER } from '../../common/http-headers.js';
import type { Principal } from '../../domain/model.js';
import { loadOrCreateKeyPair } from '../../identity/keys.js';
import { issueAssertion } from '../../identity/tokens.js';
import { startTopology, type SystemSpec, type Topology } from '../../cli/topology.js';
import { fanoutPartners } from '../../subgraphs/src/seed/bench-seed.js';
import { clockTicks, cpuTicks, machine, positiveInt } from './bench-support.js';

const TICKS_PER_SECOND = clockTicks().perSecond;

// ---------------------------------------------------------------------------------------------
// settings

const GATEWAY_ID = 'mutual-aid';
const HUB = 'hub';
const HUB_USERS = 100;
/** Assertions live 60 s; re-signed after this. */
const RESIGN_MS = 30_000;
/** A change that has not reached every partner after this is an error. */
const ARRIVAL_TIMEOUT_MS = 30_000;
const AIM_P99_MS = 100;
const AIM_CATCHUP_MS = 5_000;


function flag(name: string): boolean {
  const raw = process.env[name];
  return raw !== undefined && raw !== '' && raw !== '0' && raw !== 'false';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const lpad = (text: string, width: number) => text.padStart(width);
const ms = (value: number) => value.toFixed(1);

// ---------------------------------------------------------------------------------------------
// GraphQL, straight to a subgraph, with an assertion signed by the topology's gateway key

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

class Caller {
  private readonly signed = new Map<string, { token: Promise<string>; until: number }>();

  constructor(
    private readonly gatewayKey: KeyObject,
    private readonly topology: Topology,
  ) {}

  private assertion(subgraph: string, principal: Principal): Promise<string> {
    const key = `${subgraph}|${principal.system}|${principal.kind}|${principal.subject}`;
    const known = this.signed.get(key);
    if (known && known.until > Date.now()) return known.token;
    const token = issueAssertion(this.gatewayKey, { gatewayId: GATEWAY_ID, subgraph, principal });
    this.signed.set(key, { token, until: Date.now() + RESIGN_MS });
    return token;
  }

  url(subgraph: string): string {
    const proc = this.topology.subgraphs.get(subgraph);
    if (!proc) throw new Error(`no process for ${subgraph}`);
    return proc.url;
  }

  /** Sends a query to a subgraph as `principal`; throws on a GraphQL error. */
  async query<T = Record<string, any>>(subgraph: string, principal: Principal, query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.url(subgraph)}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: await this.assertion(subgraph, principal) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: GraphQLBody<T>;
    try {
      body = JSON.parse(text) as GraphQLBody<T>;
    } catch {
      throw new Error(`${subgraph} answered HTTP ${response.status}: ${text.slice(0, 500)}`);
    }
    if (body.errors?.length || !body.data) throw new Error(`${subgraph} answered with errors: ${text.slice(0, 1000)}`);
    return body.data;
  }
}

const admin = (system: string): Principal => ({ system, kind: 'admin', subject: `admin@${system}` });
const asSystem = (system: string): Principal => ({ system, kind: 'system', subject: system });

// ---------------------------------------------------------------------------------------------
// hub's users, and the changes made to them

interface HubUser {
  id: string;
  displayName: string;
  organisation: { id: string };
  mcServiceIds: { mcptt: string | null; mcdata: string | null; mcvideo: string | null };
  functionalAliases: string[];
  enabledServices: string[];
  securityDomain: string;
  phone: string | null;
  email: string | null;
}

const HUB_USERS_QUERY = `{ hub { users(limit: 500) { id displayName organisation { id } mcServiceIds { mcptt mcdata mcvideo } functionalAliases enabledServices securityDomain phone email } } }`;

/** The full input of updateUser (it replaces the user) with a new display name. */
function userInput(user: HubUser, displayName: string): Record<string, unknown> {
  return {
    displayName,
    organisationId: user.organisation.id,
    mcpttId: user.mcServiceIds.mcptt,
    mcdataId: user.mcServiceIds.mcdata,
    mcvideoId: user.mcServiceIds.mcvideo,
    functionalAliases: user.functionalAliases,
    enabledServices: user.enabledServices,
    securityDomain: user.securityDomain,
    phone: user.phone,
    email: user.email,
  };
}

async function hubUsers(caller: Caller): Promise<HubUser[]> {
  const data = await caller.query<{ hub: { users: HubUser[] } }>(HUB, admin(HUB), HUB_USERS_QUERY);
  const users = data.hub.users;
  if (users.length !== HUB_USERS) throw new Error(`hub has ${users.length} users, expected ${HUB_USERS}`);
  return users;
}

const UPDATE_ONE = `mutation Update($id: ID!, $input: UserInput!) { hub { updateUser(id: $id, input: $input) { id displayName } } }`;

// ---------------------------------------------------------------------------------------------
// delivery status (hub) and replica state (partners)

interface Delivery {
  partner: string;
  deliveredThrough: string;
  pending: number;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
}

async function hubDeliveries(caller: Caller): Promise<Delivery[]> {
  const data = await caller.query<{ hub: { deliveries: Delivery[] } }>(
    HUB,
    admin(HUB),
    `{ hub { deliveries { partner deliveredThrough pending attempts lastError nextAttemptAt lastAttemptAt lastSuccessAt } } }`,
  );
  return data.hub.deliveries;
}

async function deliveryTo(caller: Caller, partner: string): Promise<Delivery> {
  const found = (await hubDeliveries(caller)).find((d) => d.partner === partner);
  if (!found) throw new Error(`hub reports no delivery status for ${partner}`);
  return found;
}

interface Replica {
  appliedThrough: string;
  appliedChanges: number;
  lastAppliedAt: string;
  users: Array<{ id: string; displayName: string }>;
}

async function replicaOf(caller: Caller, partner: string, withUsers = true): Promise<Replica | undefined> {
  const data = await caller.query<Record<string, { replicas: Replica[] }>>(
    partner,
    admin(partner),
    `{ ${partner} { replicas(partner: "${HUB}") { appliedThrough appliedChanges lastAppliedAt ${withUsers ? 'users { id displayName }' : ''} } } }`,
  );
  return data[partner]!.replicas[0];
}

/** What hub shares with a partner now, as the partner sees it (id -> display name). */
async function sharedWith(caller: Caller, partner: string): Promise<Map<string, string>> {
  const data = await caller.query<{ hub: { users: Array<{ id: string; displayName: string }> } }>(HUB, asSystem(partner), `{ hub { users(limit: 500) { id displayName } } }`);
  return new Map(data.hub.users.map((u) => [u.id, u.displayName]));
}

/** The partner's replica equals what hub shares with it (ids and display names); throws otherwise. */
async function checkConverged(caller: Caller, partner: string): Promise<number> {
  const expected = await sharedWith(caller, partner);
  const replica = await replicaOf(caller, partner);
  if (!replica) throw new Error(`${partner} has no replica of hub`);
  const actual = new Map(replica.users.map((u) => [u.id, u.displayName]));
  const wrong = [...expected].filter(([id, name]) => actual.get(id) !== name);
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  if (wrong.length > 0 || extra.length > 0 || actual.size !== expected.size) {
    throw new Error(
      `${partner}'s replica differs from what hub shares: ${wrong.length} users missing or different (e.g. ${JSON.stringify(wrong.slice(0, 3))}), ${extra.length} extra, ${actual.size} vs ${expected.size} users`,
    );
  }
  return actual.size;
}

// ---------------------------------------------------------------------------------------------
// arrival probes: does a partner's replica hold this display name for this user?

interface Probe {
  /** True when the partner's replica of hub has `displayName` for user `id`. */
  has(partner: string, id: string, displayName: string): boolean | Promise<boolean>;
  /** Users in the partner's replica of hub. */
  count(partner: string): number | Promise<number>;
  close(): void;
}

/**
 * Reads the partner's SQLite file (read-only connection, WAL: readers never block the partner's
 * writer) in this process: no HTTP request, no work in the partner's process. A row is visible here
 * as soon as the partner's apply transaction has committed, which is when the partner's own API
 * (replicas) returns it too (it reads the same rows, without a cache).
 */
class SqliteProbe implements Probe {
  private readonly dbs = new Map<string, { db: BetterSqlite3.Database; name: BetterSqlite3.Statement; count: BetterSqlite3.Statement }>();

  constructor(private readonly dataDir: string) {}

  private open(partner: string) {
    let entry = this.dbs.get(partner);
    if (!entry) {
      const db = new BetterSqlite3(join(this.dataDir, partner, 'configuration.sqlite'), { readonly: true, fileMustExist: true });
      entry = {
        db,
        name: db.prepare(`SELECT json_extract(data, '$.displayName') AS name FROM replica_users WHERE partner = ? AND id = ?`),
        count: db.prepare(`SELECT count(*) AS n FROM replica_users WHERE partner = ?`),
      };
      this.dbs.set(partner, entry);
    }
    return entry;
  }

  has(partner: string, id: string, displayName: string): boolean {
    const row = this.open(partner).name.get(HUB, id) as { name: string } | undefined;
    return row?.name === displayName;
  }

  count(partner: string): number {
    return (this.open(partner).count.get(HUB) as { n: number }).n;
  }

  close(): void {
    for (const { db } of this.dbs.values()) db.close();
    this.dbs.clear();
  }
}

/** Asks the partner's subgraph (`replicas(partner: "hub") { users { id displayName } }`, as its admin). */
class GraphQLProbe implements Probe {
  constructor(private readonly caller: Caller) {}

  async has(partner: string, id: string, displayName: string): Promise<boolean> {
    const replica = await replicaOf(this.caller, partner);
    return replica?.users.some((u) => u.id === id && u.displayName === displayName) ?? false;
  }

  async count(partner: string): Promise<number> {
    return (await replicaOf(this.caller, partner))?.users.length ?? 0;
  }

  close(): void {}
}

// ---------------------------------------------------------------------------------------------
// CPU time of a process (Linux /proc), as in directory-bench.ts


/** utime+stime of a process (all threads) in ms; undefined when /proc/<pid>/stat cannot be read. */
function cpuMs(pid: number | undefined): number | undefined {
  const ticks = cpuTicks(pid);
  return ticks === undefined ? undefined : (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU ms of the hub, the gateway, all partners together and this process. */
interface CpuSample {
  hub?: number;
  gateway?: number;
  partners?: number;
  bench?: number;
}

function sampleCpu(topology: Topology, partners: string[]): CpuSample {
  const partnerMs = partners.map((p) => cpuMs(topology.subgraphs.get(p)?.child.pid));
  const usage = process.cpuUsage();
  return {
    hub: cpuMs(topology.subgraphs.get(HUB)?.child.pid),
    gateway: cpuMs(topology.gateway.child.pid),
    partners: partnerMs.every((v) => v !== undefined) ? partnerMs.reduce((a, b) => a! + b!, 0) : undefined,
    bench: (usage.user + usage.system) / 1000,
  };
}

function cpuPerChange(before: CpuSample, after: CpuSample, changes: number): CpuSample {
  const per = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : (b - a) / changes);
  return { hub: per(before.hub, after.hub), gateway: per(before.gateway, after.gateway), partners: per(before.partners, after.partners), bench: per(before.bench, after.bench) };
}

// ---------------------------------------------------------------------------------------------
// statistics

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

interface LatencyResult {
  partners: number;
  changes: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  firstP50: number;
  ackP50: number;
  pollMean: number;
  pollMax: number;
  pollChecks: number;
  /** CPU ms per measured change (hub, gateway, partners summed, this process). */
  cpu: CpuSample;
  wallMs: number;
}

// ---------------------------------------------------------------------------------------------
// the machine, cleanup


const loadNow = () => loadavg().map((l) => l.toFixed(2)).join(' / ');

interface Run {
  dataDir: string;
  /** startTopology under way (on a signal, its processes are stopped once it has returned). */
  starting?: Promise<Topology>;
  topology?: Topology;
  probe?: Probe;
}

const runs = new Set<Run>();

async function finish(run: Run): Promise<void> {
  try {
    run.probe?.close();
  } catch {
    // closing a read-only connection cannot lose anything
  }
  if (run.topology === undefined && run.starting !== undefined) run.topology = await run.starting.catch(() => undefined);
  await Promise.allSettled([run.topology?.stop()]);
  rmSync(run.dataDir, { recursive: true, force: true });
  runs.delete(run);
}

function newRun(): Run {
  const run: Run = { dataDir: mkdtempSync(join(tmpdir(), 'mcx-prop-')) };
  runs.add(run);
  return run;
}

/** hub (sharing with `partners`) and its partners, all with seed `fanout` on SQLite. */
function systems(partners: string[]): SystemSpec[] {
  // An empty DATABASE_URL keeps every system on SQLite even when the caller has one set.
  const env = { MCX_FANOUT_PARTNERS: String(partners.length), DATABASE_URL: '' };
  return [HUB, ...partners].map((slug) => ({ slug, name: slug, seed: 'fanout' as const, env }));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(intervalMs);
  }
}

/** The gateway's settings: its defaults (looks for joining/returning systems every 1000 ms, access TTL 500 ms) unless PROP_GATEWAY_POLL_MS / PROP_GATEWAY_ACCESS_TTL_MS say otherwise. */
const GATEWAY_POLL_MS = positiveInt('PROP_GATEWAY_POLL_MS', 1000);
const GATEWAY_ACCESS_TTL_MS = positiveInt('PROP_GATEWAY_ACCESS_TTL_MS', 500);

async function startRun(run: Run, partners: string[]): Promise<Caller> {
  run.starting = startTopology({ dataDir: run.dataDir, gatewayId: GATEWAY_ID, systems: systems(partners), pollMs: GATEWAY_POLL_MS, accessTtlMs: GATEWAY_ACCESS_TTL_MS });
  run.topology = await run.starting;
  const gatewayKey = loadOrCreateKeyPair(join(run.dataDir, 'gateway', 'keys')).privateKey;
  return new Caller(gatewayKey, run.topology);
}

/** Every partner has hub's initial snapshot: 100 users in its replica, and hub has nothing pending. */
async function waitForSnapshot(caller: Caller, probe: Probe, partners: string[]): Promise<void> {
  await until(
    `every partner's replica of hub has ${HUB_USERS} users`,
    async () => {
      for (const partner of partners) if ((await probe.count(partner)) !== HUB_USERS) return false;
      return true;
    },
    60_000,
    100,
  );
  await until(
    'hub has delivered everything',
    async () => {
      const status = await hubDeliveries(caller);
      return partners.every((p) => status.find((d) => d.partner === p)?.pending === 0);
    },
    60_000,
    100,
  );
}

// ---------------------------------------------------------------------------------------------
// 1. latency to N partners

async function measureLatency(count: number, changes: number, warmup: number, pollMs: number, probeKind: string): Promise<LatencyResult> {
  const partners = fanoutPartners(count);
  const run = newRun();
  try {
    console.log(`\n[${count} partner${count === 1 ? '' : 's'}] starting hub, ${partners.length === 1 ? partners[0] : `${partners[0]}..${partners[partners.length - 1]}`} and the gateway (load ${loadNow()}) ...`);
    const caller = await startRun(run, partners);
    const probe: Probe = probeKind === 'graphql' ? new GraphQLProbe(caller) : new SqliteProbe(run.dataDir);
    run.probe = probe;
    await waitForSnapshot(caller, probe, partners);
    const users = await hubUsers(caller);
    console.log(`[${count}] every partner has hub's ${HUB_USERS} users; ${warmup} warm-up changes, then ${changes} measured (load ${loadNow()}) ...`);

    const latencies: number[] = [];
    const firsts: number[] = [];
    const acks: number[] = [];
    let pollChecks = 0;
    let pollTime = 0;
    let pollMax = 0;
    const stamp = `${process.pid.toString(36)}${Date.now().toString(36)}`;
    let cpuBefore: CpuSample = {};
    let wallStart = 0;

    for (let i = 0; i < warmup + changes; i++) {
      if (i === warmup) {
        cpuBefore = sampleCpu(run.topology!, partners);
        wallStart = performance.now();
      }
      const user = users[i % users.length]!;
      const displayName = `Prop ${stamp} ${count}/${i}`;
      const remaining = new Set(partners);
      const arrivals: number[] = [];
      const t0 = performance.now();
      const mutation = caller.query(HUB, admin(HUB), UPDATE_ONE, { id: user.id, input: userInput(user, displayName) }).then(() => performance.now());
      let failed: unknown;
      mutation.catch((error: unknown) => {
        failed = error;
      });
      let last = performance.now();
      for (;;) {
        const checked = await Promise.all([...remaining].map(async (partner) => [partner, await probe.has(partner, user.id, displayName)] as const));
        const now = performance.now();
        for (const [partner, arrived] of checked) {
          if (arrived) {
            remaining.delete(partner);
            arrivals.push(now - t0);
          }
        }
        if (remaining.size === 0) break;
        if (failed !== undefined) throw failed;
        if (now - t0 > ARRIVAL_TIMEOUT_MS) throw new Error(`change ${i} (user ${user.id}) has not reached ${[...remaining].join(', ')} after ${ARRIVAL_TIMEOUT_MS} ms`);
        await sleep(pollMs);
        const after = performance.now();
        // Time from one check to the next (the detection error is at most one such period).
        pollChecks++;
        pollTime += after - last;
        pollMax = Math.max(pollMax, after - last);
        last = after;
      }
      const ack = (await mutation) - t0;
      if (i >= warmup) {
        latencies.push(Math.max(...arrivals));
        firsts.push(Math.min(...arrivals));
        acks.push(ack);
      }
    }

    const wallMs = performance.now() - wallStart;
    const cpu = cpuPerChange(cpuBefore, sampleCpu(run.topology!, partners), latencies.length);
    for (const partner of partners) await checkConverged(caller, partner);
    const sorted = [...latencies].sort((a, b) => a - b);
    const result: LatencyResult = {
      partners: count,
      changes: latencies.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1]!,
      mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
      firstP50: percentile([...firsts].sort((a, b) => a - b), 50),
      ackP50: percentile([...acks].sort((a, b) => a - b), 50),
      pollMean: pollChecks > 0 ? pollTime / pollChecks : 0,
      pollMax,
      pollChecks,
      cpu,
      wallMs,
    };
    console.log(
      `[${count}] p50 ${ms(result.p50)} ms, p99 ${ms(result.p99)} ms, max ${ms(result.max)} ms (first partner p50 ${ms(result.firstP50)} ms, hub answered the mutation p50 ${ms(result.ackP50)} ms); every replica equals what hub shares`,
    );
    return result;
  } finally {
    await finish(run);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. catch-up after an outage

interface CatchUpResult {
  round: number;
  changes: number;
  writeMs: number;
  pendingBefore: number;
  attemptsBefore: number;
  /** From the restart: p01's /health answers (own poll, every 5 ms). */
  healthMs: number;
  /** From the restart: topology.startSystem returned. */
  startedMs: number;
  /** From the restart: the gateway's /health reports p01 composed again. */
  gatewayComposedMs: number | null;
  /** From the restart: when hub's last retry before the first success was due (its nextAttemptAt). */
  retryDueMs: number | null;
  /** From the restart: hub's deliveredThrough first moved (first batch acknowledged). */
  firstProgressMs: number | null;
  /** From the restart: hub pending 0 and p01's appliedThrough = hub's deliveredThrough. */
  doneMs: number;
  appliedDelta: number;
  replicaUsers: number;
  hubPolls: number;
}

async function catchUpRound(
  caller: Caller,
  topology: Topology,
  users: HubUser[],
  round: number,
  changes: number,
  batch: number,
  pollMs: number,
  trace: boolean,
): Promise<CatchUpResult> {
  const partner = 'p01';
  const before = (await replicaOf(caller, partner, false))!;
  const feedBefore = await deliveryTo(caller, partner);
  if (feedBefore.pending !== 0) throw new Error(`hub still has ${feedBefore.pending} changes pending for ${partner} before round ${round}`);

  console.log(`[catch-up ${round}] stopping ${partner} (SIGTERM) ...`);
  await topology.stopProcess(topology.subgraphs.get(partner)!);

  const batches = Math.ceil(changes / batch);
  console.log(`[catch-up ${round}] making ${changes} changes in hub (${batches} requests of up to ${batch} updateUser each) ...`);
  const writeStart = performance.now();
  let made = 0;
  for (let b = 0; b < batches; b++) {
    const size = Math.min(batch, changes - made);
    const declarations: string[] = [];
    const fields: string[] = [];
    const variables: Record<string, unknown> = {};
    for (let k = 0; k < size; k++) {
      const user = users[(made + k) % users.length]!;
      declarations.push(`$id${k}: ID!, $in${k}: UserInput!`);
      fields.push(`u${k}: updateUser(id: $id${k}, input: $in${k}) { id }`);
      variables[`id${k}`] = user.id;
      variables[`in${k}`] = userInput(user, `Catch-up ${round}/${b}/${k}`);
    }
    const data = await caller.query<{ hub: Record<string, { id: string } | null> }>(HUB, admin(HUB), `mutation Batch(${declarations.join(', ')}) { hub { ${fields.join(' ')} } }`, variables);
    const done = Object.values(data.hub).filter((u) => u !== null).length;
    if (done !== size) throw new Error(`batch ${b}: ${done} of ${size} updates succeeded`);
    made += size;
  }
  const writeMs = performance.now() - writeStart;

  const queued = await deliveryTo(caller, partner);
  if (queued.pending !== changes) throw new Error(`hub reports ${queued.pending} changes pending for ${partner}, expected ${changes}`);
  console.log(
    `[catch-up ${round}] ${changes} changes made in ${(writeMs / 1000).toFixed(1)} s; hub: pending ${queued.pending}, ${queued.attempts} failed attempts, last error "${queued.lastError ?? '-'}"; restarting ${partner} (load ${loadNow()}) ...`,
  );
  if (trace) console.log(`    [trace] gateway output (end): ${topology.gateway.output.join('').slice(-600).trim()}`);

  // --- the restart, and what happens from then on
  const url = caller.url(partner);
  const gatewayUrl = topology.gatewayUrl;
  const restartWall = Date.now();
  const t0 = performance.now();
  let stop = false;
  let healthMs: number | undefined;
  let gatewayComposedMs: number | null = null;
  let gatewaySawDown = false;

  const health = (async () => {
    while (!stop && healthMs === undefined) {
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) healthMs = performance.now() - t0;
      } catch {
        // not up yet
      }
      if (healthMs === undefined) await sleep(5);
    }
  })();
  const gatewayWatch = (async () => {
    while (!stop && gatewayComposedMs === null) {
      try {
        const response = await fetch(`${gatewayUrl}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await response.json()) as { systems?: Array<{ slug: string; state: string }> };
        const state = body.systems?.find((s) => s.slug === partner)?.state;
        if (state !== 'composed') gatewaySawDown = true;
        // "composed" counts once p01 is up again (before that it may be the gateway's state from before the outage).
        else if (healthMs !== undefined) gatewayComposedMs = performance.now() - t0;
      } catch {
        // keep watching
      }
      if (gatewayComposedMs === null) await sleep(pollMs);
    }
  })();

  const started = topology.startSystem({ slug: partner, name: partner, seed: 'fanout', env: systems([partner])[1]!.env! }).then(() => performance.now() - t0);

  let firstProgressMs: number | null = null;
  let retryDueMs: number | null = queued.nextAttemptAt === null ? null : Date.parse(queued.nextAttemptAt) - restartWall;
  let doneMs: number | undefined;
  let hubPolls = 0;
  let lastTrace = '';
  try {
    const deadline = t0 + 180_000;
    while (doneMs === undefined) {
      if (performance.now() > deadline) throw new Error(`${partner} has not caught up 180 s after its restart`);
      const status = await deliveryTo(caller, partner);
      hubPolls++;
      const now = performance.now() - t0;
      if (trace) {
        const line = `deliveredThrough ${status.deliveredThrough}, pending ${status.pending}, attempts ${status.attempts}, last attempt ${status.lastAttemptAt ?? '-'}, next ${status.nextAttemptAt ?? '-'}, error ${status.lastError?.slice(0, 120) ?? '-'}`;
        if (line !== lastTrace) console.log(`    [trace] +${ms(now)} ms (${new Date().toISOString()}): ${line}`);
        lastTrace = line;
      }
      if (firstProgressMs === null) {
        if (status.deliveredThrough !== queued.deliveredThrough) firstProgressMs = now;
        else if (status.nextAttemptAt !== null) retryDueMs = Date.parse(status.nextAttemptAt) - restartWall;
      }
      if (status.pending === 0 && healthMs !== undefined) {
        const replica = await replicaOf(caller, partner, false);
        if (replica && replica.appliedThrough === status.deliveredThrough) {
          doneMs = now;
          break;
        }
      }
      await sleep(pollMs);
    }
  } finally {
    stop = true;
    await Promise.allSettled([health, gatewayWatch]);
  }
  const startedMs = await started;
  if (!gatewaySawDown && trace) console.log('    [trace] the gateway never reported p01 other than composed after the restart');

  const after = (await replicaOf(caller, partner, false))!;
  const replicaUsers = await checkConverged(caller, partner);
  const result: CatchUpResult = {
    round,
    changes,
    writeMs,
    pendingBefore: queued.pending,
    attemptsBefore: queued.attempts,
    healthMs: healthMs!,
    startedMs,
    gatewayComposedMs,
    retryDueMs,
    firstProgressMs,
    doneMs: doneMs!,
    appliedDelta: after.appliedChanges - before.appliedChanges,
    replicaUsers,
    hubPolls,
  };
  if (result.appliedDelta !== changes) throw new Error(`${partner} applied ${result.appliedDelta} changes during the catch-up, expected exactly ${changes}`);
  const s = (value: number | null) => (value === null ? 'n/a' : `${(value / 1000).toFixed(2)} s`);
  console.log(`[catch-up ${round}] caught up ${s(result.doneMs)} after the restart (${s(result.doneMs - result.healthMs)} after /health was up); p01 applied exactly ${result.appliedDelta} changes, replica equals what hub shares`);
  return result;
}

async function measureCatchUp(rounds: number, changes: number, batch: number, pollMs: number, trace: boolean): Promise<CatchUpResult[]> {
  const run = newRun();
  try {
    console.log(`\n[catch-up] starting hub, p01 and the gateway (load ${loadNow()}) ...`);
    const caller = await startRun(run, ['p01']);
    const probe = new SqliteProbe(run.dataDir);
    run.probe = probe;
    await waitForSnapshot(caller, probe, ['p01']);
    probe.close();
    const users = await hubUsers(caller);
    const results: CatchUpResult[] = [];
    for (let round = 1; round <= rounds; round++) results.push(await catchUpRound(caller, run.topology!, users, round, changes, batch, pollMs, trace));
    return results;
  } finally {
    await finish(run);
  }
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const changes = positiveInt('PROP_CHANGES', 200);
  const warmup = positiveInt('PROP_WARMUP', 10);
  const pollMs = positiveInt('PROP_POLL_MS', 2);
  const probeKind = process.env.PROP_PROBE ?? 'sqlite';
  if (probeKind !== 'sqlite' && probeKind !== 'graphql') throw new Error(`PROP_PROBE is sqlite or graphql, got "${probeKind}"`);
  const partnerCounts = (process.env.PROP_PARTNERS ?? '1,3,10').split(',').map((s) => Number(s.trim()));
  if (partnerCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 99)) throw new Error(`PROP_PARTNERS is a list of partner counts from 1 to 99, got "${process.env.PROP_PARTNERS}"`);
  const catchUpChanges = positiveInt('CATCHUP_CHANGES', 10_000);
  const catchUpRounds = positiveInt('CATCHUP_ROUNDS', 3);
  const catchUpBatch = positiveInt('CATCHUP_BATCH', 100);
  const catchUpPollMs = positiveInt('CATCHUP_POLL_MS', 20);
  const skipLatency = flag('PROP_SKIP_LATENCY');
  const skipCatchUp = flag('PROP_SKIP_CATCHUP');

  let stopping: Promise<void> | undefined;
  const cleanUp = (): Promise<void> => (stopping ??= Promise.allSettled([...runs].map((run) => finish(run))).then(() => undefined));
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the benchmark's processes`);
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const machineLines = machine();
  console.log('MCX propagation benchmark');
  for (const line of machineLines) console.log(`  ${line}`);
  if (skipLatency) console.log('  Latency: skipped (PROP_SKIP_LATENCY)');
  else console.log(
    `  Latency: ${partnerCounts.join(', ')} partners; ${changes} changes each (after ${warmup} warm-up), one at a time; arrival probe ${probeKind === 'sqlite' ? "the partner's SQLite replica row, read-only" : "the partner's replicas query (GraphQL)"}, every ${pollMs} ms`,
  );
  console.log(`  Gateway: mutual-aid gateway looks for joining/returning systems every ${GATEWAY_POLL_MS} ms (recomposes when they change, and every 60 s), keeps a caller's access ${GATEWAY_ACCESS_TTL_MS} ms`);
  if (skipCatchUp) console.log('  Catch-up: skipped (PROP_SKIP_CATCHUP)');
  else console.log(`  Catch-up: ${catchUpRounds} round${catchUpRounds === 1 ? '' : 's'}, ${catchUpChanges} changes queued for p01 while it is down (${catchUpBatch} updateUser per request); status polled every ${catchUpPollMs} ms`);

  try {
    const latency: LatencyResult[] = [];
    if (!skipLatency) for (const count of partnerCounts) latency.push(await measureLatency(count, changes, warmup, pollMs, probeKind));
    const catchUp = skipCatchUp ? undefined : await measureCatchUp(catchUpRounds, catchUpChanges, catchUpBatch, catchUpPollMs, flag('CATCHUP_TRACE'));

    console.log('\nResults');
    for (const line of machineLines) console.log(`  ${line}`);
    if (latency.length > 0) {
      console.log('');
      console.log(`  Propagation latency: updateUser sent to hub -> the new value in the replica of the last of N partners`);
      console.log(
        `  ${lpad('N', 3)} ${lpad('changes', 8)} ${lpad('p50 ms', 8)} ${lpad('p99 ms', 8)} ${lpad('max ms', 8)} ${lpad('mean ms', 8)}   ${lpad('first partner p50 ms', 20)} ${lpad('hub ack p50 ms', 15)} ${lpad('poll period ms mean/max', 24)}`,
      );
      for (const r of latency) {
        console.log(
          `  ${lpad(String(r.partners), 3)} ${lpad(String(r.changes), 8)} ${lpad(ms(r.p50), 8)} ${lpad(ms(r.p99), 8)} ${lpad(ms(r.max), 8)} ${lpad(ms(r.mean), 8)}   ${lpad(ms(r.firstP50), 20)} ${lpad(ms(r.ackP50), 15)} ${lpad(`${ms(r.pollMean)} / ${ms(r.pollMax)}`, 24)}`,
        );
      }
      console.log('');
      console.log(`  CPU ms per measured change (utime+stime from /proc/<pid>/stat over the measured changes, ${TICKS_PER_SECOND} ticks/s, / changes)`);
      console.log(`  ${lpad('N', 3)} ${lpad('hub', 7)} ${lpad('gateway', 8)} ${lpad('partners', 9)} ${lpad('benchmark', 10)} ${lpad('total', 7)} ${lpad('wall ms/change', 15)} ${lpad('cores busy', 11)}`);
      const c = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(2));
      for (const r of latency) {
        const parts = [r.cpu.hub, r.cpu.gateway, r.cpu.partners, r.cpu.bench];
        const total = parts.every((v) => v !== undefined) ? parts.reduce((a, b) => a! + b!, 0)! : undefined;
        const wallPer = r.wallMs / r.changes;
        console.log(
          `  ${lpad(String(r.partners), 3)} ${lpad(c(r.cpu.hub), 7)} ${lpad(c(r.cpu.gateway), 8)} ${lpad(c(r.cpu.partners), 9)} ${lpad(c(r.cpu.bench), 10)} ${lpad(c(total), 7)} ${lpad(wallPer.toFixed(2), 15)} ${lpad(total === undefined ? 'n/a' : (total / wallPer).toFixed(2), 11)}`,
        );
      }
      const ten = latency.find((r) => r.partners === 10);
      console.log('');
      if (ten) console.log(`  Aim: p99 under ${AIM_P99_MS} ms to 10 partners: p99 ${ms(ten.p99)} ms -> ${ten.p99 < AIM_P99_MS ? 'met' : 'NOT met'}`);
      else console.log(`  Aim: p99 under ${AIM_P99_MS} ms to 10 partners: not measured (10 not in PROP_PARTNERS)`);
    }
    if (catchUp) {
      const s = (value: number | null) => (value === null ? 'n/a' : (value / 1000).toFixed(2));
      const first = catchUp[0]!;
      console.log('');
      console.log(`  Catch-up of ${first.changes} queued changes (hub + p01): p01 stopped (SIGTERM), ${first.changes} updateUser made in hub, p01 started again; seconds from the restart of p01`);
      console.log(
        `  ${lpad('round', 5)} ${lpad('write s', 8)} ${lpad('pending', 8)} ${lpad('/health up', 11)} ${lpad('gw composes', 12)} ${lpad('hub retry due', 14)} ${lpad('1st batch acked', 16)} ${lpad('caught up', 10)} ${lpad('caught up from /health', 23)} ${lpad('1st batch acked -> caught up', 29)}`,
      );
      for (const r of catchUp) {
        console.log(
          `  ${lpad(String(r.round), 5)} ${lpad(s(r.writeMs), 8)} ${lpad(String(r.pendingBefore), 8)} ${lpad(s(r.healthMs), 11)} ${lpad(s(r.gatewayComposedMs), 12)} ${lpad(s(r.retryDueMs), 14)} ${lpad(s(r.firstProgressMs), 16)} ${lpad(s(r.doneMs), 10)} ${lpad(s(r.doneMs - r.healthMs), 23)} ${lpad(s(r.firstProgressMs === null ? null : r.doneMs - r.firstProgressMs), 29)}`,
        );
      }
      console.log(`  Every round: p01 applied exactly ${first.changes} changes and its replica equals what hub shares (${first.replicaUsers} users, ids and display names).`);
      const fromRestart = catchUp.filter((r) => r.doneMs < AIM_CATCHUP_MS).length;
      const fromHealth = catchUp.filter((r) => r.doneMs - r.healthMs < AIM_CATCHUP_MS).length;
      const sortedDone = catchUp.map((r) => r.doneMs).sort((a, b) => a - b);
      console.log('');
      console.log(
        `  Aim: catch-up of ${first.changes} changes under ${AIM_CATCHUP_MS / 1000} s: from the restart ${fromRestart === catchUp.length ? 'met' : 'NOT met'} (${fromRestart} of ${catchUp.length} rounds; median ${s(percentile(sortedDone, 50))} s, max ${s(sortedDone[sortedDone.length - 1]!)} s); from /health up ${fromHealth === catchUp.length ? 'met' : 'NOT met'} (${fromHealth} of ${catchUp.length} rounds)`,
      );
    }
  } finally {
    await cleanUp();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  console.error(`\nBenchmark aborted: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
