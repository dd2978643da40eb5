/**
 * Live subscriptions through the gateway, across real processes, on each store: a partner sees the
 * changes to what it may see as they are made (and nothing else), each caller under its own access
 * (also when two callers send the same document), resume after a cursor, grants narrowed, the
 * agreement no longer active, the owner going away, the token expiring; refusals with stable codes
 * at the gateway and at the subgraph itself.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_EXTENSION } from '../../common/http-headers.js';
import { issueAssertion } from '../../identity/tokens.js';
import { DEMO_SYSTEMS } from '../../subgraphs/src/seed/demo-seed.js';
import { openDatabase, type StoreConfig } from '../../subgraphs/src/store/database.js';
import { Store } from '../../subgraphs/src/store/store.js';
import { codes, sleep, STORES, TestTopology } from '../support/harness.js';
import { Subscriber } from '../support/subscriber.js';

const CHANGE_FIELDS = 'cursor op entity id partner user { id displayName organisationId mcptt mcdata mcvideo } group { groupId name }';
const NORTH_AS_SOUTH = `subscription { north { ${CHANGE_FIELDS} } }`;

describe.each(STORES)('subscriptions on %s', (store) => {
  const t = new TestTopology(store);
  const open: Subscriber[] = [];
  let northAdmin: string;
  let southSystem: string;
  let eastAdmin: string;
  let seq = 0;

  /** A subscription through the gateway, closed after the suite. */
  function subscribe(query: string, options: ConstructorParameters<typeof Subscriber>[2] = {}): Subscriber {
    const subscriber = new Subscriber(t.topology.gatewayUrl, query, options);
    open.push(subscriber);
    return subscriber;
  }

  /** Creates a north user in an organisation; returns its id. */
  async function createNorthUser(organisationId: string): Promise<string> {
    seq += 1;
    const name = `live.${seq}`;
    const res = await t.gateway(
      `mutation { north { createUser(input: { displayName: "Live ${seq}", organisationId: "${organisationId}", mcpttId: "sip:${name}@mcptt.north.example", mcvideoId: "sip:${name}@mcvideo.north.example", enabledServices: [MCPTT, MCVIDEO], securityDomain: "https://kms.north.example", phone: "+4755${String(seq).padStart(5, '0')}" }) { id } } }`,
      { token: northAdmin },
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.north.createUser.id as string;
  }

  /** North's store, opened by another process, as a second instance of north would. */
  function northStoreConfig(): StoreConfig {
    const env = t.systemEnv('north');
    return store === 'postgres'
      ? { kind: 'postgres', url: env.DATABASE_URL!, schema: env.MCX_DB_SCHEMA! }
      : { kind: 'sqlite', file: join(t.dataDir, 'north', 'configuration.sqlite') };
  }

  beforeAll(async () => {
    await t.startDemo();
    northAdmin = await t.token('north', 'admin');
    southSystem = await t.token('south', 'system');
    eastAdmin = await t.token('east', 'admin');
  });

  afterAll(async () => {
    for (const subscriber of open) await subscriber.close().catch(() => undefined);
    await t.stop();
  });

  it('a partner sees the changes to what it may see as they are made, in its own view, and nothing else', async () => {
    const south = await subscribe(NORTH_AS_SOUTH, { token: southSystem }).ready();
    const border = await createNorthUser('north-border');
    const ems = await createNorthUser('north-ems'); // not shared with south
    const border2 = await createNorthUser('north-border');
    await south.until('two changes', () => south.changes().length >= 2);
    await sleep(300);
    const changes = south.changes();
    expect(changes.map((c) => c.id)).toEqual([border, border2]);
    expect(changes.map((c) => c.id)).not.toContain(ems);
    const first = changes[0]!;
    expect(first).toMatchObject({ op: 'upsert', entity: 'user', partner: 'south' });
    // North grants south MCPTT and MCDATA only: the MCVideo ID stays at home.
    expect(first.user).toMatchObject({ id: border, organisationId: 'north-border', mcptt: expect.stringContaining('sip:live.'), mcvideo: null });
    expect(Number(changes[1]!.cursor)).toBeGreaterThan(Number(first.cursor));
    expect(south.codes()).toEqual([]);
  });

  it('the same document from two callers runs under each caller\'s own access', async () => {
    // North grants south no contact data: the gateway denies the field in south's events; north's
    // own administrator, following south's view with the very same document, is not denied it.
    const document = `subscription { north(partner: "south") { id user { displayName phone } } }`;
    const south = await subscribe(document, { token: southSystem }).ready();
    const north = await subscribe(document, { token: northAdmin }).ready();
    const east = subscribe(document, { token: eastAdmin });
    const id = await createNorthUser('north-border');
    await south.until('south sees the change', () => south.events.length > 0);
    await north.until('north sees the change', () => north.events.length > 0);
    await east.until('east is refused', () => east.ended);
    expect(south.events[0]!.data!.north).toMatchObject({ id, user: { phone: null } });
    expect(south.codes()).toEqual(['FORBIDDEN_FIELD']);
    expect(south.events[0]!.errors![0]!.extensions).toMatchObject({ field: 'SharedUser.phone' });
    expect(north.events[0]!.data!.north).toMatchObject({ id, user: { phone: null } }); // not in south's view at all
    expect(north.codes()).toEqual([]);
    // East's agreement with north is only proposed: it may not follow anything, whoever else does.
    expect(east.codes()).toEqual(['FORBIDDEN_PARTNER_VIEW']);
    expect(east.events).toEqual([]);
  });

  it('refuses with stable codes: another partner\'s view, no agreement, no token, a bad token, a bad document', async () => {
    const cases: Array<[string, Subscriber]> = [
      ['FORBIDDEN_PARTNER_VIEW', subscribe(`subscription { north(partner: "east") { id } }`, { token: southSystem })],
      ['FORBIDDEN', subscribe(`subscription { north(partner: "east") { id } }`, { token: eastAdmin })],
      ['UNAUTHENTICATED', subscribe(`subscription { north { id } }`)],
      ['TOKEN_INVALID', subscribe(`subscription { north { id } }`, { token: 'not-a-token' })],
      ['GRAPHQL_VALIDATION_FAILED', subscribe(`subscription { north { id nonsense } }`, { token: southSystem })],
      ['BAD_USER_INPUT', subscribe(`subscription { north { id } }`, { token: northAdmin })],
      ['BAD_USER_INPUT', subscribe(`subscription { north(after: "yesterday") { id } }`, { token: southSystem })],
    ];
    for (const [code, subscriber] of cases) {
      await subscriber.until(`refused with ${code}`, () => subscriber.ended);
      expect(subscriber.codes(), code).toEqual([code]);
      expect(JSON.stringify(subscriber.failure)).not.toMatch(/\n\s+at |node_modules|SQL/i);
    }
  });

  it('a token in the upgrade request\'s Authorization header works too', async () => {
    const south = await subscribe(NORTH_AS_SOUTH, { headerToken: southSystem }).ready();
    const id = await createNorthUser('north-border');
    await south.until('the change arrives', () => south.changes().some((c) => c.id === id));
  });

  it('resumes after a cursor: the changes made meanwhile come first, in order, with no gap', async () => {
    const first = await subscribe(NORTH_AS_SOUTH, { token: southSystem }).ready();
    const a = await createNorthUser('north-border');
    await first.until('the first change', () => first.changes().length === 1);
    const cursor = first.changes()[0]!.cursor as string;
    await first.close();
    const b = await createNorthUser('north-border');
    const c = await createNorthUser('north-fire');
    const resumed = subscribe(`subscription($after: String) { north(after: $after) { ${CHANGE_FIELDS} } }`, { token: southSystem, variables: { after: cursor } });
    await resumed.until('the two missed changes', () => resumed.changes().length >= 2);
    const d = await createNorthUser('north-border');
    await resumed.until('and the next one', () => resumed.changes().length >= 3);
    expect(resumed.changes().map((x) => x.id)).toEqual([b, c, d]);
    expect(resumed.changes().map((x) => x.id)).not.toContain(a);
  });

  it('narrowed grants: a reset, then the new view; a partner cannot resume from before the reset', async () => {
    const south = await subscribe(NORTH_AS_SOUTH, { token: southSystem }).ready();
    const setGrants = (grants: string) =>
      t.gateway(`mutation { north { setAgreementGrants(partner: "south", grants: [${grants}]) { partnerSystem } } }`, { token: northAdmin });
    const narrowed = await setGrants('{ scope: DIRECTORY_READ, organisations: ["north-border"], services: [MCPTT] }');
    expect(narrowed.body.errors).toBeUndefined();
    await south.until('the reset and the new copy', () => south.changes().some((c) => c.op === 'reset') && south.changes().length > 5);
    await sleep(300);
    const changes = south.changes();
    const reset = changes.findIndex((c) => c.op === 'reset');
    expect(changes[reset]).toMatchObject({ entity: 'all', id: '*' });
    const copy = changes.slice(reset + 1);
    expect(copy.length).toBeGreaterThan(0);
    for (const change of copy.filter((c) => c.entity === 'user')) {
      expect(change.user).toMatchObject({ organisationId: 'north-border', mcdata: null });
    }
    // From the start of the feed, a partner gets the latest reset first: nothing shared under the old grants.
    const fromStart = subscribe(`subscription { north(after: "0") { ${CHANGE_FIELDS} } }`, { token: southSystem });
    await fromStart.until('the copy', () => fromStart.changes().length >= copy.length + 1);
    expect(fromStart.changes()[0]).toMatchObject({ op: 'reset', cursor: changes[reset]!.cursor });
    expect(fromStart.changes().slice(1, copy.length + 1).map((c) => c.id)).toEqual(copy.map((c) => c.id));
    // The pull feed follows the same rule.
    const pulled = await t.gateway(`{ north { changes(after: "0", limit: 5) { entries { op cursor } } } }`, { token: southSystem });
    expect(pulled.body.data!.north.changes.entries[0]).toMatchObject({ op: 'reset', cursor: changes[reset]!.cursor });
    // Back to the demo's grants for the tests that follow.
    const restored = await setGrants(
      '{ scope: DIRECTORY_READ, organisations: ["north-border", "north-fire"], services: [MCPTT, MCDATA] } { scope: GROUP_CONFIG_READ, groups: ["sip:north-border-ops@mcptt.north.example"] } { scope: MEMBERSHIP_UPDATE, groups: ["sip:north-border-ops@mcptt.north.example"] }',
    );
    expect(restored.body.errors).toBeUndefined();
  });

  it('ends once the agreement is no longer active (changed by another process on the store), within a second', async () => {
    const south = await subscribe(NORTH_AS_SOUTH, { token: southSystem }).ready();
    const database = await openDatabase(northStoreConfig());
    const northStore = new Store(database.db);
    const agreement = (await northStore.agreements.get('south'))!;
    try {
      const changedAt = Date.now();
      await northStore.agreements.update({ ...agreement, status: 'SUSPENDED', updatedAt: new Date() });
      await south.until('the subscription ends', () => south.ended, 5000);
      expect(Date.now() - changedAt).toBeLessThan(1500);
      expect(south.codes()).toEqual(['FORBIDDEN']);
      expect(south.events.at(-1)!.errors![0]!.message).toContain('SUSPENDED');
      // And no new subscription is accepted meanwhile.
      const again = subscribe(NORTH_AS_SOUTH, { token: southSystem });
      await again.until('refused', () => again.ended);
      expect(again.codes()).toEqual(['FORBIDDEN']);
    } finally {
      await northStore.agreements.update({ ...agreement, updatedAt: new Date() });
      await database.close();
    }
    await sleep(300); // the gateway's access cache forgets the suspension
  });

  it('ends when the token expires', async () => {
    const shortLived = await t.token('south', 'system', { lifetimeSeconds: 2 });
    const south = await subscribe(NORTH_AS_SOUTH, { token: shortLived }).ready();
    await south.until('the subscription ends', () => south.ended, 5000);
    expect(south.codes()).toEqual(['TOKEN_EXPIRED']);
  });

  it('the subgraph itself refuses a subscription without a trusted gateway\'s assertion, and audits refused views', async () => {
    const northUrl = t.topology.subgraphs.get('north')!.url;
    const direct = (query: string, extensions?: Record<string, unknown>) => {
      const subscriber = new Subscriber(northUrl, query, extensions ? { extensions } : {});
      open.push(subscriber);
      return subscriber;
    };
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const southPrincipal = { system: 'south', kind: 'system' as const, subject: 'south' };
    const cases: Array<[string, Subscriber]> = [
      ['UNAUTHENTICATED', direct(NORTH_AS_SOUTH)],
      ['ASSERTION_UNTRUSTED', direct(NORTH_AS_SOUTH, { [ASSERTION_EXTENSION]: await issueAssertion(stranger, { gatewayId: t.topology.gatewayId, subgraph: 'north', principal: southPrincipal }) })],
      ['FORBIDDEN_PARTNER_VIEW', direct(`subscription { north(partner: "east") { id } }`, { [ASSERTION_EXTENSION]: await t.assertion('north', southPrincipal) })],
      ['BAD_REQUEST', direct(`{ north { name } }`, { [ASSERTION_EXTENSION]: await t.assertion('north', southPrincipal) })],
    ];
    for (const [code, subscriber] of cases) {
      await subscriber.until(`refused with ${code}`, () => subscriber.ended);
      expect(subscriber.codes(), code).toEqual([code]);
    }
    const audit = await t.gateway(`{ north { audit(limit: 20) { actorSystem action target result code } } }`, { token: northAdmin });
    expect(audit.body.data!.north.audit).toContainEqual({ actorSystem: 'south', action: 'subscribe.denied', target: 'feed:east', result: 'DENIED', code: 'FORBIDDEN_PARTNER_VIEW' });
  });

  it('counts live subscriptions in /metrics on the gateway and on the owning subgraph', async () => {
    const south = await subscribe(NORTH_AS_SOUTH, { token: southSystem }).ready();
    const gauge = async (url: string, name: string) => Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    expect(await gauge(t.topology.gatewayUrl, 'mcx_gateway_subscriptions_active')).toBeGreaterThanOrEqual(1);
    expect(await gauge(t.topology.subgraphs.get('north')!.url, 'mcx_subscriptions_active')).toBeGreaterThanOrEqual(1);
    const before = await gauge(t.topology.subgraphs.get('north')!.url, 'mcx_subscriptions_active');
    await south.close();
    await t.until('the subgraph ends it', async () => (await gauge(t.topology.subgraphs.get('north')!.url, 'mcx_subscriptions_active')) === before - 1, 5000);
  });

  it('a live subscription survives the gateway recomposing (another system leaving and coming back)', async () => {
    const south = await subscribe(NORTH_AS_SOUTH, { token: southSystem }).ready();
    await t.stopSystem('east');
    await t.until('east has left the gateway', async () => codes(await t.gateway(`{ east { name } }`, { token: eastAdmin })).includes('UNKNOWN_SYSTEM'));
    await t.restartSystem('east', DEMO_SYSTEMS.east.name);
    await t.until('east is back', async () => codes(await t.gateway(`{ east { name } }`, { token: eastAdmin })).length === 0);
    const id = await createNorthUser('north-border');
    await south.until('the change arrives', () => south.changes().some((c) => c.id === id));
    expect(south.ended).toBe(false);
  });

  it('ends with SUBGRAPH_UNAVAILABLE when the owner goes away; after it is back, resuming loses nothing', async () => {
    const south = await subscribe(NORTH_AS_SOUTH, { token: southSystem }).ready();
    const a = await createNorthUser('north-border');
    await south.until('a change', () => south.changes().some((c) => c.id === a));
    const cursor = south.changes().at(-1)!.cursor as string;
    await t.stopSystem('north');
    await south.until('the subscription ends', () => south.ended);
    expect(south.codes()).toEqual(['SUBGRAPH_UNAVAILABLE']);
    await t.restartSystem('north', DEMO_SYSTEMS.north.name);
    await t.until('north is back in the gateway', async () => codes(await t.gateway(`{ north { name } }`, { token: northAdmin })).length === 0);
    const b = await createNorthUser('north-border');
    const resumed = subscribe(`subscription { north(after: "${cursor}") { ${CHANGE_FIELDS} } }`, { token: southSystem });
    await resumed.until('the change made after the restart', () => resumed.changes().some((c) => c.id === b));
    expect(resumed.changes().map((c) => c.id)).toEqual([b]);
  });
});
