/**
 * Agreements established between live systems, on each store: south and east start with no
 * agreement (the demo has none between them) and go through the whole lifecycle through the
 * gateway — proposal with fingerprint check, confirmation, acceptance, scopes, suspension (denied
 * within a second through the gateway and directly), resume by both, termination with its
 * cascade, a new agreement that expires — and every bad input is refused with a stable code,
 * changes nothing, and is audited.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateKeyPair } from '../../identity/keys.js';
import { signEnvelope } from '../../identity/envelopes.js';
import { codes, STORES, TestTopology } from '../support/harness.js';

const AGREEMENT_FIELDS = 'partnerSystem status proposedBy fingerprintConfirmed resumeRequestedBy statusReason partnerKeyFingerprint validUntil grantedToPartner { scope organisations groups } grantedByPartner { scope organisations groups } partnerParameters { systemId securityDomain endpoint publicKey }';

describe.each(STORES)('agreements between live systems on %s', (store) => {
  const t = new TestTopology(store);
  const tokens: Record<string, string> = {};
  const fingerprints: Record<string, string> = {};

  /** As an administrator of `system`. */
  const admin = (system: string, query: string, variables?: Record<string, unknown>) => t.gateway(query, { token: tokens[`${system}-admin`]!, ...(variables && { variables }) });
  const agreement = async (system: string, partner: string) =>
    (await admin(system, `{ ${system} { agreement(partner: "${partner}") { ${AGREEMENT_FIELDS} } } }`)).body.data?.[system]?.agreement as Record<string, any> | null;
  const audit = async (system: string) =>
    (await admin(system, `{ ${system} { audit(limit: 200) { actorSystem action target result code detail } } }`)).body.data![system].audit as Array<Record<string, any>>;
  const mutate = (system: string, field: string) => admin(system, `mutation { ${system} { ${field} { ${AGREEMENT_FIELDS} } } }`);
  const users = async (reader: string, owner: string) => t.gateway(`{ ${owner} { users(limit: 500) { id organisation { id } phone } } }`, { token: tokens[`${reader}-system`]! });

  beforeAll(async () => {
    await t.startDemo();
    for (const system of ['north', 'south', 'east']) {
      tokens[`${system}-admin`] = await t.token(system, 'admin', { lifetimeSeconds: 3600 });
      fingerprints[system] = (await admin(system, `{ ${system} { publicKeyFingerprint } }`)).body.data![system].publicKeyFingerprint;
    }
  });

  afterAll(() => t.stop());

  /** System tokens live 5 minutes: a fresh one for each use. */
  async function refreshSystemTokens() {
    for (const system of ['north', 'south', 'east']) tokens[`${system}-system`] = await t.token(system, 'system');
  }

  it('refuses proposals with a wrong fingerprint, and signed proposals with unknown or mismatching keys; nothing is stored', async () => {
    await refreshSystemTokens();
    const wrong = await mutate('east', `proposeAgreement(partner: "south", partnerFingerprint: "${fingerprints.north}", grants: [])`);
    expect(codes(wrong)).toEqual(['FINGERPRINT_MISMATCH']);
    const unknown = await mutate('east', `proposeAgreement(partner: "nowhere", partnerFingerprint: "${fingerprints.south}", grants: [])`);
    expect(codes(unknown)).toEqual(['UNKNOWN_SYSTEM']);
    expect(await agreement('east', 'south')).toBeNull();

    // Messages south could send east itself: a proposal naming no usable key, one signed with a key other than the one it names.
    const southKey = loadOrCreateKeyPair(join(t.dataDir, 'south', 'keys'));
    const stranger = generateKeyPairSync('ed25519');
    const proposal = (publicKey: string) => ({
      afterSeq: 0,
      entries: [{ seq: 1, entity: 'agreement', entityId: 'propose', op: 'notify', at: new Date().toISOString(), payload: { n: 1, event: { kind: 'propose', grants: [], validFrom: null, validUntil: null, card: { systemId: 'urn:mcx:system:south.example', slug: 'south', name: 'South', domain: 'south.example', securityDomain: 'https://kms.south.example', endpoint: 'http://x/graphql', publicKey } } } }],
    });
    const deliver = (envelope: string) => t.gateway(`mutation($e: String!) { east { receivePartnerChanges(envelope: $e) { applied } } }`, { token: tokens['south-system']!, variables: { e: envelope } });
    const noKey = await deliver(await signEnvelope(southKey.privateKey, { from: 'south', to: 'east', kind: 'feed.batch', body: proposal('not a key') }));
    expect(codes(noKey)).toEqual(['PARTNER_KEY_UNKNOWN']);
    const otherKey = await deliver(await signEnvelope(stranger.privateKey, { from: 'south', to: 'east', kind: 'feed.batch', body: proposal(southKey.publicKeyPem) }));
    expect(codes(otherKey)).toEqual(['MESSAGE_INVALID']);
    expect(await agreement('east', 'south')).toBeNull();
    const eastAudit = await audit('east');
    expect(eastAudit).toContainEqual(expect.objectContaining({ actorSystem: 'east', action: 'agreement.propose', result: 'DENIED', code: 'FINGERPRINT_MISMATCH' }));
    expect(eastAudit).toContainEqual(expect.objectContaining({ actorSystem: 'south', action: 'feed.apply', result: 'DENIED', code: 'PARTNER_KEY_UNKNOWN' }));
    expect(eastAudit).toContainEqual(expect.objectContaining({ actorSystem: 'south', action: 'feed.apply', result: 'DENIED', code: 'MESSAGE_INVALID' }));
  });

  it('establishes an agreement between two systems with none: propose, confirm the fingerprint, accept', async () => {
    await refreshSystemTokens();
    const proposed = await mutate('east', `proposeAgreement(partner: "south", partnerFingerprint: "${fingerprints.south!.toLowerCase().replaceAll('-', ' ')}", grants: [{ scope: DIRECTORY_READ, organisations: ["east-cp"] }])`);
    expect(proposed.body.errors).toBeUndefined();
    expect(proposed.body.data!.east.proposeAgreement).toMatchObject({ status: 'PROPOSED', proposedBy: 'east', fingerprintConfirmed: true, partnerKeyFingerprint: fingerprints.south });
    await t.until('south receives the proposal', async () => (await agreement('south', 'east'))?.status === 'PROPOSED');
    const atSouth = (await agreement('south', 'east'))!;
    expect(atSouth).toMatchObject({ proposedBy: 'east', fingerprintConfirmed: false, partnerKeyFingerprint: fingerprints.east, grantedByPartner: [{ scope: 'DIRECTORY_READ', organisations: ['east-cp'], groups: null }] });
    expect(atSouth.partnerParameters).toMatchObject({ systemId: 'urn:mcx:system:east.example', securityDomain: 'https://kms.east.example', endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/) });
    // Nothing is shared while it is only proposed.
    expect(codes(await users('east', 'south'))).toContain('FORBIDDEN_FIELD');

    expect(codes(await mutate('south', `acceptAgreement(partner: "east", grants: [])`))).toEqual(['FINGERPRINT_NOT_CONFIRMED']);
    expect(codes(await mutate('south', `confirmPartnerFingerprint(partner: "east", fingerprint: "${fingerprints.north}")`))).toEqual(['FINGERPRINT_MISMATCH']);
    expect(codes(await mutate('east', `acceptAgreement(partner: "south", grants: [])`))).toEqual(['AGREEMENT_STATE_INVALID']); // the proposer does not accept
    expect((await mutate('south', `confirmPartnerFingerprint(partner: "east", fingerprint: "${fingerprints.east}")`)).body.data!.south.confirmPartnerFingerprint.fingerprintConfirmed).toBe(true);
    const accepted = await mutate('south', `acceptAgreement(partner: "east", grants: [{ scope: DIRECTORY_READ, organisations: ["south-border"] } { scope: CONTACT_READ, organisations: ["south-border"] }])`);
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data!.south.acceptAgreement.status).toBe('ACTIVE');
    expect(codes(await mutate('south', `acceptAgreement(partner: "east", grants: [])`))).toEqual(['AGREEMENT_STATE_INVALID']); // accepting twice

    await t.until('east learns of the acceptance', async () => (await agreement('east', 'south'))?.status === 'ACTIVE');
    expect((await agreement('east', 'south'))!.grantedByPartner).toEqual([
      { scope: 'DIRECTORY_READ', organisations: ['south-border'], groups: null },
      { scope: 'CONTACT_READ', organisations: ['south-border'], groups: null },
    ]);
    // The gateway may have kept the proposed status for its access cache time (200 ms here).
    await t.until('east reads south', async () => codes(await users('east', 'south')).length === 0);
    await t.until('south reads east', async () => (await users('south', 'east')).body.data?.east?.users !== null);
    const seen = await users('east', 'south');
    expect(seen.body.data!.south.users.length).toBeGreaterThan(0);
    expect(seen.body.data!.south.users.every((u: any) => u.organisation.id === 'south-border' && u.phone !== null)).toBe(true);
    const back = await users('south', 'east');
    expect(back.body.data!.east.users.every((u: any) => u.organisation.id === 'east-cp')).toBe(true);
    // Each side's copy of what the other shares arrives through the feed.
    await t.until('east holds a copy of what south shares', async () => {
      const res = await admin('east', `{ east { replicas(partner: "south") { users { id } } } }`);
      return (res.body.data?.east?.replicas?.[0]?.users.length ?? 0) === seen.body.data!.south.users.length;
    });
    const southAudit = await audit('south');
    expect(southAudit).toContainEqual(expect.objectContaining({ actorSystem: 'east', action: 'agreement.partner.propose', result: 'OK' }));
    expect(southAudit).toContainEqual(expect.objectContaining({ actorSystem: 'south', action: 'agreement.accept', result: 'OK' }));
    expect(southAudit).toContainEqual(expect.objectContaining({ action: 'agreement.accept', result: 'DENIED', code: 'FINGERPRINT_NOT_CONFIRMED' }));
    expect(await audit('east')).toContainEqual(expect.objectContaining({ actorSystem: 'south', action: 'agreement.partner.accept', result: 'OK' }));
  });

  it('each side edits only what it grants; the other side is told', async () => {
    await refreshSystemTokens();
    const narrowed = await mutate('south', `setAgreementGrants(partner: "east", grants: [{ scope: DIRECTORY_READ, organisations: ["south-k9"] }])`);
    expect(narrowed.body.errors).toBeUndefined();
    await t.until('east sees the new grants', async () => (await agreement('east', 'south'))!.grantedByPartner[0]?.organisations?.[0] === 'south-k9');
    await t.until('east reads only what south grants now', async () => {
      const seen = await users('east', 'south');
      return (seen.body.data?.south?.users ?? []).length > 0 && seen.body.data!.south.users.every((u: any) => u.organisation.id === 'south-k9' && u.phone === null);
    });
    // East may not widen what south grants it, neither through south's mutations nor in its own copy.
    const widen = await t.gateway(`mutation { south { setAgreementGrants(partner: "east", grants: [{ scope: DIRECTORY_READ }]) { status } } }`, { token: tokens['east-admin']! });
    expect(codes(widen)).toEqual(['FORBIDDEN']);
    const own = await mutate('east', `setAgreementGrants(partner: "south", grants: [{ scope: DIRECTORY_READ, organisations: ["east-cp"] } { scope: MEMBERSHIP_UPDATE, groups: ["sip:east-cp-ops@mcptt.east.example"] }])`);
    expect(own.body.data!.east.setAgreementGrants.grantedByPartner).toEqual([{ scope: 'DIRECTORY_READ', organisations: ['south-k9'], groups: null }]);
    await t.until('south sees what east grants now', async () => (await agreement('south', 'east'))!.grantedByPartner.length === 2);
  });

  it('suspension by either side ends access within a second, through the gateway and directly; resuming needs both', async () => {
    await refreshSystemTokens();
    const suspendedAt = Date.now();
    const suspended = await mutate('east', `suspendAgreement(partner: "south", reason: "exercise over")`);
    expect(suspended.body.data!.east.suspendAgreement).toMatchObject({ status: 'SUSPENDED', statusReason: 'exercise over' });
    const southAssertion = await t.assertion('east', { system: 'south', kind: 'system', subject: 'south' });
    const eastAssertion = await t.assertion('south', { system: 'east', kind: 'system', subject: 'east' });
    await t.until('both directions denied, through the gateway and directly', async () => {
      const denied = [
        await users('south', 'east'),
        await users('east', 'south'),
        await t.subgraph('east', `{ east { users { id } } }`, { assertion: southAssertion }),
        await t.subgraph('south', `{ south { users { id } } }`, { assertion: eastAssertion }),
      ];
      return denied.every((res) => codes(res).includes('FORBIDDEN_FIELD'));
    }, 1000);
    expect(Date.now() - suspendedAt).toBeLessThan(1000);
    expect((await agreement('south', 'east'))).toMatchObject({ status: 'SUSPENDED', statusReason: 'exercise over' });
    // Nothing is deleted: each side keeps its copy.
    const replica = await admin('east', `{ east { replicas(partner: "south") { users { id } } } }`);
    expect(replica.body.data!.east.replicas[0].users.length).toBeGreaterThan(0);

    const first = await mutate('east', `resumeAgreement(partner: "south")`);
    expect(first.body.data!.east.resumeAgreement).toMatchObject({ status: 'SUSPENDED', resumeRequestedBy: 'east' });
    expect(codes(await mutate('east', `resumeAgreement(partner: "south")`))).toEqual(['AGREEMENT_STATE_INVALID']);
    await t.until('south sees east asking to resume', async () => (await agreement('south', 'east'))!.resumeRequestedBy === 'east');
    expect(codes(await users('east', 'south'))).toContain('FORBIDDEN_FIELD');
    const second = await mutate('south', `resumeAgreement(partner: "east")`);
    expect(second.body.data!.south.resumeAgreement).toMatchObject({ status: 'ACTIVE', resumeRequestedBy: null });
    await t.until('active on both sides', async () => (await agreement('east', 'south'))!.status === 'ACTIVE');
    await t.until('access is back both ways', async () =>
      ((await users('east', 'south')).body.data?.south?.users ?? []).length > 0 && ((await users('south', 'east')).body.data?.east?.users ?? []).length > 0,
    );
  });

  it('termination ends access and revokes what stemmed from the agreement on both sides', async () => {
    await refreshSystemTokens();
    const southMember = (await users('south', 'south')).body.data!.south.users[0];
    const mcptt = (await t.gateway(`{ south { user(id: "${southMember.id}") { mcServiceIds { mcptt } } } }`, { token: tokens['south-admin']! })).body.data!.south.user.mcServiceIds.mcptt;
    // East's MEMBERSHIP_UPDATE grant reaches the gateway within its access-cache time (the steps before can take less).
    await t.until('the gateway honours what east grants south now', async () => {
      const added = await t.gateway(`mutation { east { addGroupMembers(groupId: "sip:east-cp-ops@mcptt.east.example", members: [{ system: "south", mcServiceId: "${mcptt}" }]) { groupId } } }`, { token: tokens['south-system']! });
      return added.body.errors === undefined;
    });
    const membersOfSouth = async () =>
      ((await admin('east', `{ east { group(groupId: "sip:east-cp-ops@mcptt.east.example") { members { system mcServiceId } } } }`)).body.data!.east.group.members as Array<any>).filter((m) => m.system === 'south');
    expect(await membersOfSouth()).toEqual([{ system: 'south', mcServiceId: mcptt }]);

    const terminated = await mutate('south', `terminateAgreement(partner: "east", reason: "mission ended")`);
    expect(terminated.body.data!.south.terminateAgreement).toMatchObject({ status: 'TERMINATED', statusReason: 'mission ended' });
    await t.until('east has it terminated', async () => (await agreement('east', 'south'))!.status === 'TERMINATED');
    expect(await membersOfSouth()).toEqual([]);
    const replicaAt = async (system: string, partner: string) => (await admin(system, `{ ${system} { replicas(partner: "${partner}") { users { id } groups { groupId } } } }`)).body.data![system].replicas[0];
    await t.until('both copies are dropped', async () => {
      const [east, south] = [await replicaAt('east', 'south'), await replicaAt('south', 'east')];
      return east.users.length + east.groups.length + south.users.length + south.groups.length === 0;
    });
    expect(codes(await users('east', 'south'))).toContain('FORBIDDEN_FIELD');
    expect(codes(await users('south', 'east'))).toContain('FORBIDDEN_FIELD');
    // Acting on a terminated agreement.
    for (const field of ['suspendAgreement(partner: "east", reason: "x")', 'resumeAgreement(partner: "east")', 'acceptAgreement(partner: "east", grants: [])', 'setAgreementGrants(partner: "east", grants: [])']) {
      expect(codes(await mutate('south', field)), field).toEqual(['AGREEMENT_TERMINATED']);
    }
    expect(await audit('east')).toContainEqual(expect.objectContaining({ actorSystem: 'south', action: 'agreement.partner.terminate', result: 'OK' }));
  });

  it('a new agreement after the end of the last one expires at the end of its validity, on both sides', async () => {
    await refreshSystemTokens();
    const until = new Date(Date.now() + 8000).toISOString();
    const proposed = await mutate('south', `proposeAgreement(partner: "east", partnerFingerprint: "${fingerprints.east}", grants: [{ scope: DIRECTORY_READ }], validUntil: "${until}")`);
    expect(proposed.body.errors).toBeUndefined();
    await t.until('east receives it', async () => (await agreement('east', 'south'))?.status === 'PROPOSED');
    expect((await agreement('east', 'south'))!.proposedBy).toBe('south');
    await mutate('east', `confirmPartnerFingerprint(partner: "south", fingerprint: "${fingerprints.south}")`);
    expect((await mutate('east', `acceptAgreement(partner: "south", grants: [{ scope: DIRECTORY_READ, organisations: ["east-relief"] }])`)).body.errors).toBeUndefined();
    await t.until('active at south', async () => (await agreement('south', 'east'))?.status === 'ACTIVE');
    await t.until('east reads south', async () => ((await users('east', 'south')).body.data?.south?.users ?? []).length > 0);
    await t.until('east holds a copy', async () => ((await admin('east', `{ east { replicas(partner: "south") { users { id } } } }`)).body.data!.east.replicas[0].users.length ?? 0) > 0);
    await t.until('expired on both sides', async () => (await agreement('south', 'east'))?.status === 'EXPIRED' && (await agreement('east', 'south'))?.status === 'EXPIRED', 15_000);
    expect(codes(await users('east', 'south'))).toContain('FORBIDDEN_FIELD');
    // Each side ends it on its own (checked every second) and revokes what stemmed from it.
    for (const system of ['east', 'south']) {
      await t.until(`${system} has recorded the expiry`, async () => (await audit(system)).some((e) => e.action === 'agreement.expire' && e.result === 'OK' && e.actorSystem === system));
    }
    const eastCopy = (await admin('east', `{ east { replicas(partner: "south") { users { id } } } }`)).body.data!.east.replicas[0];
    expect(eastCopy.users).toEqual([]);
  });

  it('a replayed or out-of-order step from the partner is refused, audited, and changes nothing', async () => {
    await refreshSystemTokens();
    const northKey = loadOrCreateKeyPair(join(t.dataDir, 'north', 'keys'));
    const southReplica = async () => (await admin('south', `{ south { replicas(partner: "north") { appliedThrough } } }`)).body.data!.south.replicas[0].appliedThrough as string;
    const before = await agreement('south', 'north');
    const applied = Number(await southReplica());
    const step = (n: number, seq: number) => ({
      afterSeq: applied,
      entries: [{ seq, entity: 'agreement', entityId: 'suspend', op: 'notify', at: new Date().toISOString(), payload: { n, event: { kind: 'suspend', reason: 'forged' } } }],
    });
    const deliver = async (n: number, seq: number) =>
      t.gateway(`mutation($e: String!) { south { receivePartnerChanges(envelope: $e) { applied } } }`, {
        token: tokens['north-system']!,
        variables: { e: await signEnvelope(northKey.privateKey, { from: 'north', to: 'south', kind: 'feed.batch', body: step(n, seq) }) },
      });
    // The seeded agreement between north and south has had no messages: message 0 is a replay, 7 comes too early.
    // (Both are signed with north's real key and fit the feed; only the agreement's own order refuses them.)
    expect((await deliver(0, applied + 1)).body.errors).toBeUndefined();
    expect((await deliver(7, applied + 2)).body.errors).toBeUndefined();
    expect(await agreement('south', 'north')).toEqual(before);
    const southAudit = await audit('south');
    expect(southAudit).toContainEqual(expect.objectContaining({ actorSystem: 'north', action: 'agreement.partner.suspend', result: 'DENIED', code: 'MESSAGE_REPLAYED' }));
    expect(southAudit).toContainEqual(expect.objectContaining({ actorSystem: 'north', action: 'agreement.partner.suspend', result: 'DENIED', code: 'MESSAGE_OUT_OF_ORDER' }));
  });

  it('a proposal naming another key than the one pinned is refused, audited, and changes nothing', async () => {
    await refreshSystemTokens();
    // South and east's last agreement has expired; a proposal from south, signed with south's pinned key, names a stranger's key.
    const southKey = loadOrCreateKeyPair(join(t.dataDir, 'south', 'keys'));
    const strangerPem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const before = await agreement('east', 'south');
    const applied = Number((await admin('east', `{ east { replicas(partner: "south") { appliedThrough } } }`)).body.data!.east.replicas[0].appliedThrough);
    const card = { systemId: 'urn:mcx:system:south.example', slug: 'south', name: 'South', domain: 'south.example', securityDomain: 'https://kms.south.example', endpoint: 'http://x/graphql', publicKey: strangerPem };
    const body = { afterSeq: applied, entries: [{ seq: applied + 1, entity: 'agreement', entityId: 'propose', op: 'notify', at: new Date().toISOString(), payload: { n: 1, event: { kind: 'propose', grants: [], validFrom: null, validUntil: null, card } } }] };
    const res = await t.gateway(`mutation($e: String!) { east { receivePartnerChanges(envelope: $e) { applied } } }`, {
      token: tokens['south-system']!,
      variables: { e: await signEnvelope(southKey.privateKey, { from: 'south', to: 'east', kind: 'feed.batch', body }) },
    });
    expect(res.body.errors).toBeUndefined();
    expect(await agreement('east', 'south')).toEqual(before);
    expect(await audit('east')).toContainEqual(expect.objectContaining({ actorSystem: 'south', action: 'agreement.partner.propose', result: 'DENIED', code: 'PARTNER_KEY_MISMATCH' }));
  });
});
