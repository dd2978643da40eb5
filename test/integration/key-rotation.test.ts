/**
 * Key rotation across live systems, on each store: north rotates its key; the systems it has
 * agreements with (an active one with south, a declined one with east) pin the new
 * key because the old one vouched for it; tokens and messages signed with the old key keep working
 * until the grace period ends, and are refused after; a rotation not vouched for is refused.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRotation } from '../../identity/key-rotation.js';
import { loadOrCreateKeyPair, type KeyPair } from '../../identity/keys.js';
import { signEnvelope } from '../../identity/envelopes.js';
import { DEMO_SYSTEMS } from '../../subgraphs/src/seed/demo-seed.js';
import { codes, STORES, TestTopology } from '../support/harness.js';

describe.each(STORES)('key rotation on %s', (store) => {
  const t = new TestTopology(store);
  let oldKey: KeyPair;
  let oldAdmin: string;
  let southAdmin: string;
  let rotation: { fingerprint: string; previousFingerprint: string; previousValidUntil: string; partnersTold: string[] };

  const northKeyAtSouth = async () =>
    (await t.gateway(`{ south { agreement(partner: "north") { partnerKeyFingerprint fingerprintConfirmed } } }`, { token: southAdmin })).body.data!.south.agreement;
  const southApplied = async () => Number((await t.gateway(`{ south { replicas(partner: "north") { appliedThrough } } }`, { token: southAdmin })).body.data!.south.replicas[0].appliedThrough);
  /** A batch from north to south with no entries (acknowledged as a repeat when its signature is accepted). */
  const emptyBatchSignedWith = async (key: KeyPair) =>
    t.gateway(`mutation($e: String!) { south { receivePartnerChanges(envelope: $e) { applied } } }`, {
      token: await t.token('north', 'system'),
      variables: { e: await signEnvelope(key.privateKey, { from: 'north', to: 'south', kind: 'feed.batch', body: { afterSeq: await southApplied(), entries: [] } }) },
    });

  beforeAll(async () => {
    await t.startDemo();
    oldKey = loadOrCreateKeyPair(join(t.dataDir, 'north', 'keys'));
    oldAdmin = await t.token('north', 'admin', { lifetimeSeconds: 3600 });
    southAdmin = await t.token('south', 'admin', { lifetimeSeconds: 3600 });
  });

  afterAll(() => t.stop());

  it('rotates: every system with an agreement is told and pins the new key, also one whose agreement has ended', async () => {
    const eastAdmin = await t.token('east', 'admin');
    const declined = await t.gateway(`mutation { east { declineAgreement(partner: "north", reason: "not needed") { status } } }`, { token: eastAdmin });
    expect(declined.body.data!.east.declineAgreement.status).toBe('DECLINED');
    await t.until('north learns of it', async () => (await t.gateway(`{ north { agreement(partner: "east") { status } } }`, { token: oldAdmin })).body.data!.north.agreement.status === 'DECLINED');
    const res = await t.gateway(`mutation { north { rotateKey(graceSeconds: 8) { fingerprint previousFingerprint previousValidUntil partnersTold } } }`, { token: oldAdmin });
    expect(res.body.errors).toBeUndefined();
    rotation = res.body.data!.north.rotateKey;
    expect(rotation.previousFingerprint).toBe(oldKey.fingerprint);
    expect(rotation.fingerprint).not.toBe(oldKey.fingerprint);
    expect([...rotation.partnersTold].sort()).toEqual(['east', 'south']);
    const card = (await t.gateway(`{ north { publicKeyFingerprint previousPublicKey previousKeyValidUntil } }`, { token: oldAdmin })).body.data!.north;
    expect(card).toMatchObject({ publicKeyFingerprint: rotation.fingerprint, previousPublicKey: oldKey.publicKeyPem, previousKeyValidUntil: rotation.previousValidUntil });
    await t.until('south pins the new key', async () => (await northKeyAtSouth()).partnerKeyFingerprint === rotation.fingerprint);
    expect((await northKeyAtSouth()).fingerprintConfirmed).toBe(true);
    const southAudit = (await t.gateway(`{ south { audit(limit: 50) { actorSystem action result } } }`, { token: southAdmin })).body.data!.south.audit;
    expect(southAudit).toContainEqual({ actorSystem: 'north', action: 'agreement.partner.rotate', result: 'OK' });
    await t.until('east pins it too', async () => (await t.gateway(`{ east { agreement(partner: "north") { partnerKeyFingerprint status } } }`, { token: eastAdmin })).body.data!.east.agreement.partnerKeyFingerprint === rotation.fingerprint);
  });

  it('during the grace period the old key still works: tokens and messages', async () => {
    const created = await t.gateway(
      `mutation { north { createUser(input: { displayName: "After Rotation", organisationId: "north-border", mcpttId: "sip:after.rotation@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example" }) { id } } }`,
      { token: oldAdmin },
    );
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.north.createUser.id;
    // North's deliveries, now signed with the new key, still reach south.
    await t.until('south receives the change', async () => {
      const res = await t.gateway(`{ south { replicas(partner: "north") { users { id } } } }`, { token: southAdmin });
      return (res.body.data!.south.replicas[0].users as Array<{ id: string }>).some((u) => u.id === id);
    });
    expect(codes(await emptyBatchSignedWith(oldKey))).toEqual([]);
    const newAdmin = await t.token('north', 'admin');
    expect(codes(await t.gateway(`{ north { name } }`, { token: newAdmin }))).toEqual([]);
  });

  it('a rotation not vouched for by the pinned key is refused', async () => {
    const stranger = generateKeyPairSync('ed25519');
    const strangerPem = stranger.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const forged = {
      afterSeq: await southApplied(),
      entries: [{ seq: 1e12, entity: 'agreement', entityId: 'rotate', op: 'notify', at: new Date().toISOString(), payload: { n: 99, event: { kind: 'rotate', publicKey: strangerPem, previousValidUntil: until, certificate: await signRotation(stranger.privateKey, { system: 'north', publicKeyPem: strangerPem, previousValidUntil: until }) } } }],
    };
    const res = await t.gateway(`mutation($e: String!) { south { receivePartnerChanges(envelope: $e) { applied } } }`, {
      token: await t.token('north', 'system'),
      variables: { e: await signEnvelope(stranger.privateKey, { from: 'north', to: 'south', kind: 'feed.batch', body: forged }) },
    });
    expect(codes(res)).toEqual(['MESSAGE_INVALID']);
    expect((await northKeyAtSouth()).partnerKeyFingerprint).toBe(rotation.fingerprint);
  });

  it('after the grace period the old key stops working, and the new one survives a restart', async () => {
    await t.until('the grace period is over', async () => Date.now() > Date.parse(rotation.previousValidUntil) + 500, 10_000);
    await t.until('the gateway refuses the old token', async () => codes(await t.gateway(`{ north { name } }`, { token: oldAdmin })).includes('TOKEN_INVALID'), 5000);
    expect(codes(await emptyBatchSignedWith(oldKey))).toEqual(['MESSAGE_INVALID']);
    await t.stopSystem('north');
    await t.restartSystem('north', DEMO_SYSTEMS.north.name);
    const newAdmin = await t.token('north', 'admin');
    await t.until('north is back', async () => codes(await t.gateway(`{ north { name } }`, { token: newAdmin })).length === 0);
    const card = (await t.gateway(`{ north { publicKeyFingerprint previousPublicKey } }`, { token: newAdmin })).body.data!.north;
    expect(card).toEqual({ publicKeyFingerprint: rotation.fingerprint, previousPublicKey: null });
    const created = await t.gateway(
      `mutation { north { createUser(input: { displayName: "After Restart", organisationId: "north-border", mcpttId: "sip:after.restart@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example" }) { id } } }`,
      { token: newAdmin },
    );
    const id = created.body.data!.north.createUser.id;
    await t.until('south receives the change', async () => {
      const res = await t.gateway(`{ south { replicas(partner: "north") { users { id } } } }`, { token: southAdmin });
      return (res.body.data!.south.replicas[0].users as Array<{ id: string }>).some((u) => u.id === id);
    });
  });
});
