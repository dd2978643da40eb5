/**
 * Requests between live systems, on each store: south asks north to authorise south's users to
 * migrate there. The sender stops what it may not send; north decides by its policy (automatic)
 * or by an administrator (pending -> approve, approve part, reject); withdrawal; expiry of a
 * pending request; removal of users; revocation by north; the end of the validity; suspension of
 * the agreement; a retry with the same request id. Both sides see every outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, STORES, TestTopology } from '../support/harness.js';
import { Subscriber } from '../support/subscriber.js';

const REQUEST_FIELDS = 'id direction partner kind status userCount userIds services approved refused { userId code reason } decidedBy reason decideBy';
const DEMO_GRANTS_TO_SOUTH =
  '{ scope: DIRECTORY_READ, organisations: ["north-border", "north-fire"], services: [MCPTT, MCDATA] } { scope: GROUP_CONFIG_READ, groups: ["sip:north-border-ops@mcptt.north.example"] } { scope: MEMBERSHIP_UPDATE, groups: ["sip:north-border-ops@mcptt.north.example"] }';

describe.each(STORES)('requests between systems on %s', (store) => {
  const t = new TestTopology(store);
  let northAdmin: string;
  let southAdmin: string;
  let border: string[];
  let police: string[];
  let k9: string[];

  const south = (query: string) => t.gateway(query, { token: southAdmin });
  const north = (query: string) => t.gateway(query, { token: northAdmin });
  const until = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  const ask = (userIds: string[], extra = '') =>
    south(`mutation { south { requestMigration(partner: "north", userIds: ${JSON.stringify(userIds)}, services: [MCPTT], validUntil: "${until(7)}"${extra}) { ${REQUEST_FIELDS} } } }`);
  const requestAt = async (system: 'north' | 'south', id: string) => {
    const res = await t.gateway(`{ ${system} { requests(limit: 500) { ${REQUEST_FIELDS} } } }`, { token: system === 'north' ? northAdmin : southAdmin });
    return (res.body.data![system].requests as Array<Record<string, any>>).find((r) => r.id === id);
  };
  const authorisations = async (system: 'north' | 'south', status = 'ACTIVE') => {
    const direction = system === 'north' ? 'INBOUND' : 'OUTBOUND';
    const res = await t.gateway(`{ ${system} { migrationAuthorisations(direction: ${direction}, status: "${status}", limit: 500) { userId partner services status mcServiceId securityDomain } } }`, { token: system === 'north' ? northAdmin : southAdmin });
    return (res.body.data![system].migrationAuthorisations as Array<Record<string, any>>).map((a) => a.userId).sort();
  };
  const policy = (fields: string) => north(`mutation { north { setRequestPolicy(kind: "migration.authorise", partner: "south", policy: { ${fields} }) { mode } } }`);
  const decided = async (id: string, status: string) => {
    await t.until(`request ${id} is ${status} on both sides`, async () => (await requestAt('north', id))?.status === status && (await requestAt('south', id))?.status === status);
  };

  beforeAll(async () => {
    await t.startDemo();
    northAdmin = await t.token('north', 'admin', { lifetimeSeconds: 3600 });
    southAdmin = await t.token('south', 'admin', { lifetimeSeconds: 3600 });
    const ids = async (organisation: string) => ((await south(`{ south { users(organisationId: "${organisation}", limit: 20) { id } } }`)).body.data!.south.users as Array<{ id: string }>).map((u) => u.id);
    [border, police, k9] = [await ids('south-border'), await ids('south-police'), await ids('south-k9')];
  });

  afterAll(() => t.stop());

  it('the sender stops what it may not send, and says why', async () => {
    expect(codes(await ask(border.slice(0, 2)))).toEqual(['FORBIDDEN']); // north grants south no MIGRATION_REQUEST yet
    const granted = await north(`mutation { north { setAgreementGrants(partner: "south", grants: [${DEMO_GRANTS_TO_SOUTH} { scope: MIGRATION_REQUEST, organisations: ["south-border", "south-police"], services: [MCPTT, MCDATA] }]) { status } } }`);
    expect(granted.body.errors).toBeUndefined();
    await t.until('south knows', async () => JSON.stringify((await south(`{ south { agreement(partner: "north") { grantedByPartner { scope } } } }`)).body.data!.south.agreement.grantedByPartner).includes('MIGRATION_REQUEST'));
    expect(codes(await ask(['south-nobody']))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await ask([border[0]!, border[0]!]))).toEqual(['BAD_USER_INPUT']);
    const outside = await ask([border[0]!, k9[0]!]);
    expect(codes(outside)).toEqual(['FORBIDDEN']);
    expect(outside.body.errors![0]!.message).toContain(k9[0]!);
    const video = await south(`mutation { south { requestMigration(partner: "north", userIds: ["${border[0]}"], services: [MCVIDEO], validUntil: "${until(7)}") { id } } }`);
    expect(codes(video)).toEqual(['FORBIDDEN']);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `u${i}`);
    const big = await t.gateway(`mutation($ids: [ID!]!) { south { requestMigration(partner: "north", userIds: $ids, services: [MCPTT], validUntil: "${until(7)}") { id } } }`, { token: southAdmin, variables: { ids: tooMany } });
    expect(codes(big)).toEqual(['BAD_USER_INPUT']);
    expect(big.body.errors![0]!.message).toContain('10000');
    const past = await south(`mutation { south { requestMigration(partner: "north", userIds: ["${border[0]}"], services: [MCPTT], validUntil: "2020-01-01T00:00:00Z") { id } } }`);
    expect(codes(past)).toEqual(['BAD_USER_INPUT']);
    // Only south's own administrators ask on south's behalf, and only north's decide.
    expect(codes(await north(`mutation { south { requestMigration(partner: "north", userIds: ["${border[0]}"], services: [MCPTT], validUntil: "${until(7)}") { id } } }`))).toEqual(['FORBIDDEN']);
    expect((await south(`{ south { requests { id } } }`)).body.data!.south.requests).toEqual([]);
  });

  it('automatic handling by policy: approved at once, both sides see it', async () => {
    expect((await policy('mode: "automatic", maxDays: 14, visitorGroups: ["sip:north-border-ops@mcptt.north.example"], visitorAliases: ["sip:visiting-police@mcptt.north.example"]')).body.errors).toBeUndefined();
    const res = await ask(border.slice(0, 3));
    expect(res.body.errors).toBeUndefined();
    const id = res.body.data!.south.requestMigration.id;
    expect(res.body.data!.south.requestMigration).toMatchObject({ direction: 'OUTBOUND', status: 'PENDING', userCount: 3 });
    await decided(id, 'APPROVED');
    expect(await requestAt('south', id)).toMatchObject({ approved: border.slice(0, 3), decidedBy: 'policy' });
    expect(await authorisations('north')).toEqual(border.slice(0, 3).sort());
    expect(await authorisations('south')).toEqual(border.slice(0, 3).sort());

    // North issued a visiting profile for each; south reads those of its own users (to hand them to the users).
    const southSystem = await t.token('south', 'system');
    const profiles = await t.gateway(`{ north { visitingProfiles(userIds: ["${border[0]}"]) { userId homeSystem mcServiceId homeSecurityDomain securityDomain authorisedServices enabledServices groups aliases status document } } }`, { token: southSystem });
    expect(profiles.body.errors).toBeUndefined();
    const profile = profiles.body.data!.north.visitingProfiles[0];
    expect(profile).toMatchObject({
      userId: border[0],
      homeSystem: 'south',
      homeSecurityDomain: 'https://kms.south.example',
      securityDomain: 'https://kms.north.example',
      authorisedServices: ['MCPTT'],
      enabledServices: ['MCPTT'],
      groups: ['sip:north-border-ops@mcptt.north.example'],
      aliases: ['sip:visiting-police@mcptt.north.example'],
      status: 'ACTIVE',
    });
    expect(profile.document).toContain('<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0"');
    expect(profile.document).toContain(`<MCPTTUserID><uri-entry>${profile.mcServiceId}</uri-entry></MCPTTUserID>`);
    expect(profile.document).toContain('<entry><uri-entry>sip:north-border-ops@mcptt.north.example</uri-entry></entry>');
    expect(profile.document).toContain('<mcx:migration home-system="south" host-system="north"');
    expect(codes(await t.gateway(`{ north { visitingProfiles(partner: "east") { userId } } }`, { token: southSystem }))).toEqual(['FORBIDDEN_PARTNER_VIEW']);
    const eastAdmin = await t.token('east', 'admin');
    expect(codes(await t.gateway(`{ north { visitingProfiles { userId } } }`, { token: eastAdmin }))).toEqual(['FORBIDDEN_FIELD']);
  });

  it('a period beyond what the policy allows is refused whole', async () => {
    const res = await south(`mutation { south { requestMigration(partner: "north", userIds: ["${border[3]}"], services: [MCPTT], validUntil: "${until(20)}") { id } } }`);
    const id = res.body.data!.south.requestMigration.id;
    await decided(id, 'REJECTED');
    expect((await requestAt('south', id))!.reason).toContain('14 days');
  });

  it('a partly valid list is refused whole, or approved in part, as the policy says; the answer says which users and why', async () => {
    await policy('mode: "automatic", organisations: ["south-border"]');
    const whole = (await ask([border[4]!, police[0]!])).body.data!.south.requestMigration.id;
    await decided(whole, 'REJECTED');
    expect((await requestAt('south', whole))!.refused).toEqual([{ userId: police[0], code: 'FORBIDDEN', reason: expect.stringContaining('south-police') }]);
    await policy('mode: "automatic", organisations: ["south-border"], approvePart: true');
    const part = (await ask([border[4]!, police[0]!])).body.data!.south.requestMigration.id;
    await decided(part, 'PARTLY_APPROVED');
    expect(await requestAt('south', part)).toMatchObject({ approved: [border[4]], refused: [{ userId: police[0] }] });
  });

  it('manual handling: pending until an administrator approves, approves part or rejects; the administrators are told as it arrives', async () => {
    await policy('mode: "manual"');
    // North's administrators see south's requests arrive live: the messages in south's feed to north.
    const live = new Subscriber(t.topology.gatewayUrl, `subscription { south { id entity op requestStep } }`, { token: northAdmin });
    await live.ready();
    const first = (await ask([border[5]!, border[6]!], ', handler: "sip:duty-officer@mcptt.north.example"')).body.data!.south.requestMigration.id;
    try {
      await live.until('the request is announced', () => live.changes().some((c) => c.id === first && c.requestStep === 'request'));
      expect(live.changes().find((c) => c.id === first)).toMatchObject({ entity: 'request', op: 'notify' });
    } finally {
      await live.close();
    }
    await t.until('queued at north', async () => (await requestAt('north', first))?.status === 'PENDING');
    const pending = (await north(`{ north { pendingRequests(handler: "sip:duty-officer@mcptt.north.example") { id decideBy } } }`)).body.data!.north.pendingRequests;
    expect(pending.map((r: any) => r.id)).toContain(first);
    // Only north's administrators decide.
    expect(codes(await south(`mutation { north { decideRequest(partner: "south", requestId: "${first}", decision: APPROVE) { status } } }`))).toEqual(['FORBIDDEN']);
    const approved = await north(`mutation { north { decideRequest(partner: "south", requestId: "${first}", decision: APPROVE) { status decidedBy } } }`);
    expect(approved.body.data!.north.decideRequest).toMatchObject({ status: 'APPROVED', decidedBy: 'admin admin@north of north' });
    await decided(first, 'APPROVED');
    expect(codes(await north(`mutation { north { decideRequest(partner: "south", requestId: "${first}", decision: REJECT, reason: "late") { status } } }`))).toEqual(['CONFLICT']);

    const second = (await ask([border[7]!, border[8]!])).body.data!.south.requestMigration.id;
    await t.until('queued', async () => (await requestAt('north', second))?.status === 'PENDING');
    expect(codes(await north(`mutation { north { decideRequest(partner: "south", requestId: "${second}", decision: APPROVE_PART, userIds: ["${police[1]}"]) { status } } }`))).toEqual(['BAD_USER_INPUT']);
    await north(`mutation { north { decideRequest(partner: "south", requestId: "${second}", decision: APPROVE_PART, userIds: ["${border[7]}"], reason: "one is enough") { status } } }`);
    await decided(second, 'PARTLY_APPROVED');
    expect(await requestAt('south', second)).toMatchObject({ approved: [border[7]], refused: [{ userId: border[8], reason: 'one is enough' }] });

    const third = (await ask([border[9]!])).body.data!.south.requestMigration.id;
    await t.until('queued', async () => (await requestAt('north', third))?.status === 'PENDING');
    expect(codes(await north(`mutation { north { decideRequest(partner: "south", requestId: "${third}", decision: REJECT) { status } } }`))).toEqual(['BAD_USER_INPUT']);
    await north(`mutation { north { decideRequest(partner: "south", requestId: "${third}", decision: REJECT, reason: "no capacity") { status } } }`);
    await decided(third, 'REJECTED');
    expect((await requestAt('south', third))!.reason).toBe('no capacity');
  });

  it('only the persons the policies name send a kind of request, and decide it', async () => {
    const southPolicy = (fields: string) => south(`mutation { south { setRequestPolicy(kind: "migration.authorise", partner: "north", policy: { ${fields} }) { requesters } } }`);
    expect((await southPolicy('mode: "manual", requesters: ["planner@south"]')).body.errors).toBeUndefined();
    const refused = await ask([border[8]!]);
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.body.errors![0]!.message).toContain('not sent');
    const planner = await t.token('south', 'admin', { subject: 'planner@south' });
    await policy('mode: "manual", responders: ["sip:duty-officer@mcptt.north.example"]');
    const sent = await t.gateway(`mutation { south { requestMigration(partner: "north", userIds: ["${border[8]}"], services: [MCPTT], validUntil: "${until(7)}") { id } } }`, { token: planner });
    const id = sent.body.data!.south.requestMigration.id;
    await t.until('queued', async () => (await requestAt('north', id))?.status === 'PENDING');
    // Not one of north's responders: the request is not in its queue, and its decision is refused.
    expect((await north(`{ north { pendingRequests { id } } }`)).body.data!.north.pendingRequests.map((r: any) => r.id)).not.toContain(id);
    expect(codes(await north(`mutation { north { decideRequest(partner: "south", requestId: "${id}", decision: APPROVE) { status } } }`))).toEqual(['FORBIDDEN']);
    const officer = await t.token('north', 'admin', { subject: 'sip:duty-officer@mcptt.north.example' });
    expect((await t.gateway(`{ north { pendingRequests { id } } }`, { token: officer })).body.data!.north.pendingRequests.map((r: any) => r.id)).toContain(id);
    const approved = await t.gateway(`mutation { north { decideRequest(partner: "south", requestId: "${id}", decision: APPROVE) { decidedBy } } }`, { token: officer });
    expect(approved.body.data!.north.decideRequest.decidedBy).toBe('admin sip:duty-officer@mcptt.north.example of north');
    await decided(id, 'APPROVED');
    await southPolicy('mode: "manual"');
    await policy('mode: "manual"');
  });

  it('a pending request can be withdrawn, and expires when nobody decides in time', async () => {
    const withdrawn = (await ask([border[10]!])).body.data!.south.requestMigration.id;
    await t.until('queued', async () => (await requestAt('north', withdrawn))?.status === 'PENDING');
    expect((await south(`mutation { south { withdrawRequest(partner: "north", requestId: "${withdrawn}") { id } } }`)).body.errors).toBeUndefined();
    await decided(withdrawn, 'WITHDRAWN');
    expect(codes(await south(`mutation { south { withdrawRequest(partner: "north", requestId: "${withdrawn}") { id } } }`))).toEqual(['CONFLICT']);

    await policy('mode: "manual", pendingSeconds: 1');
    const expired = (await ask([border[10]!])).body.data!.south.requestMigration.id;
    await decided(expired, 'EXPIRED');
  });

  it('a retry with the same request id is the same request', async () => {
    await policy('mode: "automatic"');
    const first = await ask([border[11]!], ', requestId: "retry-1"');
    const again = await ask([border[11]!], ', requestId: "retry-1"');
    expect(again.body.data!.south.requestMigration.id).toBe(first.body.data!.south.requestMigration.id);
    await decided('retry-1', 'APPROVED');
    const all = (await south(`{ south { requests(limit: 500) { id } } }`)).body.data!.south.requests.filter((r: any) => r.id === 'retry-1');
    expect(all).toHaveLength(1);
  });

  it('authorisations end: removed by the requester, revoked by the partner, at the end of their validity', async () => {
    const removal = await south(`mutation { south { requestMigrationRemoval(partner: "north", userIds: ["${border[0]}"]) { id } } }`);
    expect(removal.body.errors).toBeUndefined();
    await t.until('removed on both sides', async () => !(await authorisations('north')).includes(border[0]!) && !(await authorisations('south')).includes(border[0]!));
    expect(await authorisations('north', 'REMOVED')).toContain(border[0]);
    expect(codes(await south(`mutation { south { requestMigrationRemoval(partner: "north", userIds: ["${police[2]}"]) { id } } }`))).toEqual(['NOT_FOUND']);

    const revoked = await north(`mutation { north { revokeMigration(partner: "south", userIds: ["${border[1]}"], reason: "misconduct") { userId status } } }`);
    expect(revoked.body.data!.north.revokeMigration).toEqual([{ userId: border[1], status: 'REVOKED' }]);
    await t.until('south learns of the revocation', async () => (await authorisations('south', 'REVOKED')).includes(border[1]!));

    const shortLived = (await south(`mutation { south { requestMigration(partner: "north", userIds: ["${police[3]}"], services: [MCPTT], validUntil: "${new Date(Date.now() + 4000).toISOString()}") { id } } }`)).body.data!.south.requestMigration.id;
    await decided(shortLived, 'APPROVED');
    await t.until('expired on both sides', async () => (await authorisations('north', 'EXPIRED')).includes(police[3]!) && (await authorisations('south', 'EXPIRED')).includes(police[3]!), 10_000);
  });

  it("visitors' services: turned off and on by the host at once or at a scheduled time, or by the home system's request; both sides see it", async () => {
    const enabledAt = async (system: 'north' | 'south', userId: string) => {
      const direction = system === 'north' ? 'INBOUND' : 'OUTBOUND';
      const res = await t.gateway(`{ ${system} { migrationAuthorisations(direction: ${direction}, status: "ACTIVE", limit: 500) { userId enabledServices } } }`, { token: system === 'north' ? northAdmin : southAdmin });
      return (res.body.data![system].migrationAuthorisations as Array<any>).find((a) => a.userId === userId)?.enabledServices;
    };
    const off = await north(`mutation { north { setVisitorServices(partner: "south", userIds: ["${border[2]}"], enabled: []) { changed { userId enabledServices } scheduled { id } } } }`);
    expect(off.body.data!.north.setVisitorServices).toEqual({ changed: [{ userId: border[2], enabledServices: [] }], scheduled: null });
    await t.until('south sees it', async () => JSON.stringify(await enabledAt('south', border[2]!)) === '[]');

    const at = new Date(Date.now() + 3000).toISOString();
    const later = await north(`mutation { north { setVisitorServices(partner: "south", organisationId: "south-border", enabled: [MCPTT, MCVIDEO], at: "${at}") { changed { userId } scheduled { id at status } } } }`);
    expect(later.body.data!.north.setVisitorServices).toMatchObject({ changed: [], scheduled: { at, status: 'PENDING' } });
    await t.until('south sees it scheduled', async () => (await south(`{ south { scheduledServiceChanges(direction: OUTBOUND) { at status } } }`)).body.data!.south.scheduledServiceChanges.some((c: any) => c.at === at));
    expect(await enabledAt('north', border[2]!)).toEqual([]);
    // MCVideo was never authorised: only MCPTT comes back.
    await t.until('applied at the scheduled time, on both sides', async () => JSON.stringify(await enabledAt('north', border[2]!)) === '["MCPTT"]' && JSON.stringify(await enabledAt('south', border[2]!)) === '["MCPTT"]', 10_000);

    const notGranted = await south(`mutation { south { requestVisitorServices(partner: "north", userIds: ["${border[2]}"], enabled: []) { id } } }`);
    expect(codes(notGranted)).toEqual(['FORBIDDEN']);
    const grants = await north(`mutation { north { setAgreementGrants(partner: "south", grants: [${DEMO_GRANTS_TO_SOUTH} { scope: MIGRATION_REQUEST, organisations: ["south-border", "south-police"], services: [MCPTT, MCDATA] } { scope: VISITOR_SERVICES_TOGGLE }]) { status } } }`);
    expect(grants.body.errors).toBeUndefined();
    await t.until('south knows', async () => JSON.stringify((await south(`{ south { agreement(partner: "north") { grantedByPartner { scope } } } }`)).body.data!.south.agreement.grantedByPartner).includes('VISITOR_SERVICES_TOGGLE'));
    const asked = (await south(`mutation { south { requestVisitorServices(partner: "north", userIds: ["${border[2]}"], enabled: []) { id kind status } } }`)).body.data!.south.requestVisitorServices;
    expect(asked).toMatchObject({ kind: 'services.toggle', status: 'PENDING' });
    await t.until('queued at north (manual by default)', async () => (await requestAt('north', asked.id))?.status === 'PENDING');
    await north(`mutation { north { decideRequest(partner: "south", requestId: "${asked.id}", decision: APPROVE) { status } } }`);
    await decided(asked.id, 'APPROVED');
    await t.until('applied on both sides', async () => JSON.stringify(await enabledAt('south', border[2]!)) === '[]' && JSON.stringify(await enabledAt('north', border[2]!)) === '[]');
  });

  it("suspending the agreement revokes every authorisation under it, on both sides; a suspended partner's requests are refused", async () => {
    expect((await authorisations('north')).length).toBeGreaterThan(0);
    const suspended = await north(`mutation { north { suspendAgreement(partner: "south", reason: "review") { status } } }`);
    expect(suspended.body.data!.north.suspendAgreement.status).toBe('SUSPENDED');
    expect(await authorisations('north')).toEqual([]);
    await t.until('south learns of it', async () => (await authorisations('south')).length === 0);
    expect(codes(await ask([police[4]!]))).toEqual(['FORBIDDEN']);
    const audit = (await north(`{ north { audit(limit: 500) { actorSystem action result } } }`)).body.data!.north.audit;
    expect(audit).toContainEqual({ actorSystem: 'south', action: 'request.partner.request', result: 'OK' });
    expect(audit).toContainEqual({ actorSystem: 'north', action: 'request.decide', result: 'OK' });
  });
});
