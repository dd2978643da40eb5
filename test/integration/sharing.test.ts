/**
 * Sharing updates between live systems (north shares with south), on each store: the change feed,
 * delivery through the gateway, the partner's read-only replica, outages, crashes, bad messages.
 */
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyPair } from '../../identity/keys.js';
import { signEnvelope } from '../../identity/envelopes.js';
import { DEMO_SYSTEMS } from '../../subgraphs/src/seed/demo-seed.js';
import { codes, sleep, STORES, TestTopology } from '../support/harness.js';

type Replica = { partner: string; appliedThrough: string; appliedChanges: number; ageSeconds: number; users: Array<Record<string, any>>; groups: Array<Record<string, any>> };

describe.each(STORES)('sharing updates on %s', (store) => {
  const t = new TestTopology(store);
  let northAdmin: string;
  let southAdmin: string;
  let southSystem: string;
  let northAssertion: string;

  beforeAll(async () => {
    await t.startDemo();
    northAdmin = await t.token('north', 'admin');
    southAdmin = await t.token('south', 'admin', { lifetimeSeconds: 3600 });
    southSystem = await t.token('south', 'system');
    northAssertion = await t.assertion('north', { system: 'north', kind: 'admin', subject: 'admin@north' });
  });

  afterAll(() => t.stop());

  /** South's copy of what north shares, read through the gateway. */
  async function southReplica(): Promise<Replica | undefined> {
    const res = await t.gateway(`{ south { replicas(partner: "north") { partner appliedThrough appliedChanges ageSeconds users { id displayName organisationId mcptt mcdata mcvideo enabledServices phone email } groups { groupId name members { system mcServiceId } memberLimit } } } }`, { token: southAdmin });
    return res.body.data?.south?.replicas?.[0];
  }

  /** What north shares with south now, straight from north's subgraph as south sees it. */
  async function northAsSouthSees(): Promise<Array<Record<string, any>>> {
    const assertion = await t.assertion('north', { system: 'south', kind: 'system', subject: 'south' });
    const users: Array<any> = [];
    for (let offset = 0; ; offset += 500) {
      const res = await t.subgraph('north', `{ north { users(limit: 500, offset: ${offset}) { id displayName organisation { id } mcServiceIds { mcptt mcdata mcvideo } enabledServices phone email } } }`, { assertion });
      const page = res.body.data!.north.users as Array<any>;
      users.push(...page);
      if (page.length < 500) break;
    }
    return users.map((u) => ({
      id: u.id, displayName: u.displayName, organisationId: u.organisation.id, mcptt: u.mcServiceIds.mcptt, mcdata: u.mcServiceIds.mcdata, mcvideo: u.mcServiceIds.mcvideo, enabledServices: u.enabledServices, phone: u.phone, email: u.email,
    }));
  }

  async function northDeliveryToSouth(): Promise<Record<string, any>> {
    const res = await t.subgraph('north', `{ north { deliveries { partner deliveredThrough pending oldestPendingAgeSeconds attempts lastError } } }`, { assertion: northAssertion });
    return (res.body.data!.north.deliveries as Array<any>).find((d) => d.partner === 'south');
  }

  async function expectConverged(): Promise<void> {
    await t.until('south has a replica of north', async () => (await southReplica()) !== undefined);
    await t.until('north has delivered everything to south', async () => (await northDeliveryToSouth()).pending === 0);
    const replica = (await southReplica())!;
    const expected = await northAsSouthSees();
    const byId = (list: Array<Record<string, any>>) => [...list].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId(replica.users)).toEqual(byId(expected));
  }

  async function feedLength(partner: string): Promise<number> {
    let after = '0';
    let count = 0;
    for (;;) {
      const res = await t.subgraph('north', `{ north { changes(partner: "${partner}", after: "${after}", limit: 1000) { cursor hasMore entries { cursor } } } }`, { assertion: northAssertion });
      const page = res.body.data!.north.changes;
      count += page.entries.length;
      after = page.cursor;
      if (!page.hasMore) return count;
    }
  }

  const createUser = (handle: string, org: string) =>
    `${handle.replace(/\W/g, '_')}: createUser(input: { displayName: "${handle}", organisationId: "${org}", mcpttId: "sip:${handle}@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example", phone: "+4670999${String(handle.length).padStart(4, '0')}" }) { id }`;

  it('gives south a replica of exactly what north shares with it, from the start', async () => {
    await t.until('south has a replica of north', async () => (await southReplica()) !== undefined);
    await expectConverged();
    const replica = (await southReplica())!;
    expect(replica.users.length).toBe(26);
    expect(replica.users.every((u) => u.phone === null && u.mcvideo === null)).toBe(true);
    expect(replica.groups.find((g) => g.groupId === 'sip:north-border-ops@mcptt.north.example')!.members.length).toBeGreaterThan(0);
    expect(replica.groups.every((g) => !g.groupId.includes('north-ems'))).toBe(true);
    expect(replica.ageSeconds).toBeGreaterThanOrEqual(0);
    // A replica is south's to read, not north's: north's administrator cannot read south's copies.
    const foreign = await t.gateway(`{ south { replicas { partner } } }`, { token: northAdmin });
    expect(foreign.body.data!.south.replicas).toBeNull();
  });

  it('passes each change on: new, changed, moved out of view, removed', async () => {
    const created = await t.gateway(`mutation { north { ${createUser('zoe.new', 'north-border')} ${createUser('ida.ems', 'north-ems')} } }`, { token: northAdmin });
    const zoe = created.body.data!.north.zoe_new.id as string;
    const ems = created.body.data!.north.ida_ems.id as string;
    await t.until('zoe reaches south', async () => (await southReplica())!.users.some((u) => u.id === zoe), 5000);
    expect((await southReplica())!.users.some((u) => u.id === ems)).toBe(false);

    const move = await t.gateway(`mutation { north { updateUser(id: "${zoe}", input: { displayName: "Zoe Moved", organisationId: "north-ems", mcpttId: "sip:zoe.new@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example" }) { id } } }`, { token: northAdmin });
    expect(move.body.errors).toBeUndefined();
    await t.until('zoe leaves south\'s copy', async () => !(await southReplica())!.users.some((u) => u.id === zoe), 5000);
    await t.gateway(`mutation { north { removeUser(id: "${ems}") a: removeUser(id: "${zoe}") } }`, { token: northAdmin });
    await expectConverged();
  });

  it('sends a full copy when the grants change, and south drops it when north stops sharing', async () => {
    const setGrants = (grants: string) => t.gateway(`mutation { north { setAgreementGrants(partner: "south", grants: [${grants}]) { partnerSystem } } }`, { token: northAdmin });
    const directory = '{ scope: DIRECTORY_READ, organisations: ["north-border", "north-fire"], services: [MCPTT, MCDATA] }';
    expect((await setGrants(`${directory}, { scope: CONTACT_READ, organisations: ["north-border"] }`)).body.errors).toBeUndefined();
    await t.until('phones of north-border reach south', async () => (await southReplica())!.users.some((u) => u.phone !== null), 5000);
    await expectConverged();

    expect((await setGrants('')).body.errors).toBeUndefined();
    await t.until('south drops its copy', async () => (await southReplica())!.users.length === 0 && (await southReplica())!.groups.length === 0, 5000);

    await setGrants(`${directory}, { scope: GROUP_CONFIG_READ, groups: ["sip:north-border-ops@mcptt.north.example"] }, { scope: MEMBERSHIP_UPDATE, groups: ["sip:north-border-ops@mcptt.north.example"] }`);
    await expectConverged();
  });

  it('serves the feed by cursor, and only to the partner it is for', async () => {
    const first = await t.gateway(`{ north { changes(limit: 5) { cursor hasMore entries { cursor op entity id } } } }`, { token: southSystem });
    const page = first.body.data!.north.changes;
    expect(page.entries.length).toBe(5);
    expect(page.hasMore).toBe(true);
    const cursors = page.entries.map((e: { cursor: string }) => Number(e.cursor));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    const next = await t.gateway(`{ north { changes(after: "${page.cursor}", limit: 5) { entries { cursor } } } }`, { token: southSystem });
    expect(Number(next.body.data!.north.changes.entries[0].cursor)).toBeGreaterThan(Number(page.cursor));
    const other = await t.gateway(`{ north { changes(partner: "east") { cursor } } }`, { token: southSystem });
    expect(codes(other)).toEqual(['FORBIDDEN_PARTNER_VIEW']);
    // east's agreement with north is only proposed: north shares nothing with it yet.
    const proposed = await t.gateway(`{ north { changes { cursor } } }`, { token: await t.token('east', 'system') });
    expect(codes(proposed)).toEqual(['FORBIDDEN']);
  });

  it('catches up without loss or duplicates after south was down for 1,000 changes', async () => {
    await expectConverged();
    const appliedBefore = (await southReplica())!.appliedChanges;
    const feedBefore = await feedLength('south');
    await t.stopSystem('south');
    for (let batch = 0; batch < 20; batch++) {
      const fields = Array.from({ length: 50 }, (_, i) => createUser(`out.${batch}.${i}`, i % 2 === 0 ? 'north-border' : 'north-fire')).join(' ');
      const res = await t.subgraph('north', `mutation { north { ${fields} } }`, { assertion: northAssertion });
      expect(res.body.errors).toBeUndefined();
    }
    await t.until('north reports the outage', async () => {
      const status = await northDeliveryToSouth();
      return status.pending >= 1000 && status.attempts > 0 && typeof status.lastError === 'string';
    });
    const status = await northDeliveryToSouth();
    expect(status.oldestPendingAgeSeconds).toBeGreaterThan(0);
    // The same as Prometheus metrics.
    const metrics = await (await fetch(`${t.topology.subgraphs.get('north')!.url}/metrics`)).text();
    const pending = /^mcx_outbox_pending\{[^}]*partner="south"[^}]*\} (\d+)/m.exec(metrics);
    expect(Number(pending?.[1])).toBeGreaterThanOrEqual(1000);
    const metric = (name: string) => Number(new RegExp(`^${name}\\{[^}]*partner="south"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(metric('mcx_outbox_oldest_pending_seconds')).toBeGreaterThan(0);
    expect(metric('mcx_delivery_failed_attempts')).toBeGreaterThan(0);

    await t.restartSystem('south', DEMO_SYSTEMS.south.name);
    await expectConverged();
    const after = await (await fetch(`${t.topology.subgraphs.get('north')!.url}/metrics`)).text();
    expect(after).toMatch(/^mcx_outbox_pending\{[^}]*partner="south"[^}]*\} 0$/m);
    const southMetrics = await (await fetch(`${t.topology.subgraphs.get('south')!.url}/metrics`)).text();
    expect(southMetrics).toMatch(/^mcx_replica_applied_changes\{[^}]*partner="north"[^}]*\} \d+/m);
    const feedAfter = await feedLength('south');
    expect(feedAfter - feedBefore).toBe(1000);
    expect((await southReplica())!.appliedChanges - appliedBefore).toBe(1000);
  });

  it('loses nothing and applies nothing twice when north is killed while delivering, 20 times', async () => {
    await expectConverged();
    const appliedBefore = (await southReplica())!.appliedChanges;
    const feedBefore = await feedLength('south');
    let made = 0;
    for (let round = 0; round < 20; round++) {
      const fields = Array.from({ length: 25 }, (_, i) => createUser(`kill.${round}.${i}`, 'north-border')).join(' ');
      const res = await t.subgraph('north', `mutation { north { ${fields} } }`, { assertion: northAssertion });
      expect(res.body.errors).toBeUndefined();
      made += 25;
      await sleep(Math.floor(Math.random() * 60));
      await t.stopSystem('north', 'SIGKILL');
      await t.restartSystem('north', DEMO_SYSTEMS.north.name);
    }
    await expectConverged();
    const feedAfter = await feedLength('south');
    if (feedAfter - feedBefore !== made) {
      const res = await t.subgraph('north', `{ north { changes(partner: "south", after: "0", limit: 1000) { entries { cursor op entity id } } } }`, { assertion: northAssertion });
      console.log(JSON.stringify(res.body.data!.north.changes.entries.slice(-60)));
    }
    expect(feedAfter - feedBefore).toBe(made);
    expect((await southReplica())!.appliedChanges - appliedBefore).toBe(made);
  });

  it('refuses and audits replayed, tampered, stale and wrongly signed messages', async () => {
    const northKey = loadOrCreateKeyPair(join(t.dataDir, 'north', 'keys')).privateKey;
    const eastKey = loadOrCreateKeyPair(join(t.dataDir, 'east', 'keys')).privateKey;
    const northSystem = await t.token('north', 'system');
    const deliver = (envelope: string, token = northSystem) =>
      t.gateway(`mutation($e: String!) { south { receivePartnerChanges(envelope: $e) { appliedThrough applied } } }`, { token, variables: { e: envelope } });
    const applied = Number((await southReplica())!.appliedThrough);
    const batch = { afterSeq: 0, entries: [] };

    const fresh = await signEnvelope(northKey, { from: 'north', to: 'south', kind: 'feed.batch', body: { afterSeq: applied, entries: [] } });
    const ok = await deliver(fresh);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.south.receivePartnerChanges.applied).toBe(0);

    expect(codes(await deliver(fresh))).toEqual(['MESSAGE_REPLAYED']);

    const [header, payload, signature] = (await signEnvelope(northKey, { from: 'north', to: 'south', kind: 'feed.batch', body: batch })).split('.');
    const changed = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    changed.body.entries = [{ seq: applied + 1, entity: 'user', entityId: 'evil', op: 'upsert', payload: { id: 'evil' }, at: new Date().toISOString() }];
    const tampered = `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
    expect(codes(await deliver(tampered))).toEqual(['MESSAGE_INVALID']);

    const old = { id: 'old-1', from: 'north', to: 'south', kind: 'feed.batch', sentAt: Math.floor(Date.now() / 1000) - 3600, body: batch };
    const stale = await new CompactSign(new TextEncoder().encode(JSON.stringify(old))).setProtectedHeader({ alg: 'EdDSA', typ: 'mcx-message+jws' }).sign(northKey);
    expect(codes(await deliver(stale))).toEqual(['MESSAGE_STALE']);

    const wrongKey = await signEnvelope(eastKey, { from: 'north', to: 'south', kind: 'feed.batch', body: batch });
    expect(codes(await deliver(wrongKey))).toEqual(['MESSAGE_INVALID']);

    const notMine = await signEnvelope(northKey, { from: 'north', to: 'south', kind: 'feed.batch', body: batch });
    expect(codes(await deliver(notMine, await t.token('east', 'system')))).toEqual(['MESSAGE_INVALID']);

    expect((await southReplica())!.users.some((u) => u.id === 'evil')).toBe(false);
    const audit = await t.gateway(`{ south { audit(limit: 50) { action result code } } }`, { token: southAdmin });
    const refused = (audit.body.data!.south.audit as Array<any>).filter((e) => e.action === 'feed.apply' && e.result === 'DENIED').map((e) => e.code);
    expect(refused).toEqual(expect.arrayContaining(['MESSAGE_REPLAYED', 'MESSAGE_INVALID', 'MESSAGE_STALE']));
    expect(refused.filter((c: string) => c === 'MESSAGE_INVALID').length).toBeGreaterThanOrEqual(3);
  });
});
