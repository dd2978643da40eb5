/**
 * Joint groups across three live systems, on each store: north creates a joint group and provides it
 * to south (which accepts by its policy) and east (where a person accepts); north's changes reach
 * both; south's emergency addition is handled by north's policy, a routine one is queued and approved
 * by a person; the member limit, foreign users and configuration owned by the home are enforced; the
 * single cross-system query reads each member from its own system within what that system grants;
 * a suspension removes south's members; east is removed; the group is dissolved; group documents are
 * exported and imported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, STORES, TestTopology } from '../support/harness.js';

const GROUP = 'sip:joint-flood@mcptt.north.example';
const JOINT_FIELDS = 'groupId name homeSystem role status services priority memberLimit memberCount disabled version reason members { system mcServiceId securityDomain } participants { partner status handler decidedBy reason }';
const REQUEST_FIELDS = 'id kind status groupId groupName operation urgency requester { subject } approved refused { userId code reason } decidedBy reason';
const GRANTS_TO_SOUTH = `{ scope: DIRECTORY_READ, organisations: ["north-border", "north-fire"], services: [MCPTT, MCDATA] } { scope: GROUP_CONFIG_READ, groups: ["sip:north-border-ops@mcptt.north.example"] } { scope: MEMBERSHIP_UPDATE, groups: ["sip:north-border-ops@mcptt.north.example", "${GROUP}"] }`;
const GRANTS_TO_EAST = `{ scope: DIRECTORY_READ, organisations: ["north-fire"] } { scope: MEMBERSHIP_UPDATE, groups: ["${GROUP}"] }`;

type Slug = 'north' | 'south' | 'east';

describe.each(STORES)('joint groups across three systems on %s', (store) => {
  const t = new TestTopology(store);
  const admins = {} as Record<Slug, string>;
  const users = {} as Record<string, Array<{ id: string; mcptt: string }>>;

  const as = (system: Slug, query: string, variables?: Record<string, unknown>) => t.gateway(query, { token: admins[system], ...(variables && { variables }) });
  const mutate = (system: Slug, field: string) => as(system, `mutation { ${system} { ${field} } }`);
  const joint = async (system: Slug, groupId = GROUP): Promise<Record<string, any> | null> => {
    const res = await as(system, `{ ${system} { jointGroup(groupId: "${groupId}") { ${JOINT_FIELDS} } } }`);
    expect(res.body.errors).toBeUndefined();
    return res.body.data![system].jointGroup;
  };
  const requests = async (system: Slug) => (await as(system, `{ ${system} { requests(limit: 500) { ${REQUEST_FIELDS} } } }`)).body.data![system].requests as Array<Record<string, any>>;
  const requestAt = async (system: Slug, id: string) => (await requests(system)).find((r) => r.id === id);
  const memberIds = (group: Record<string, any> | null) => (group?.members as Array<{ system: string; mcServiceId: string }> | undefined)?.map((m) => `${m.system}:${m.mcServiceId}`).sort() ?? [];
  /** Every participant holds the home's version and member list. */
  const converged = async (systems: Slug[]) => {
    const home = await joint('north');
    for (const system of systems) {
      const copy = await joint(system);
      if (!copy || copy.version !== home!.version || JSON.stringify(memberIds(copy)) !== JSON.stringify(memberIds(home)) || copy.name !== home!.name) return false;
    }
    return true;
  };
  const askMembers = (system: Slug, operation: 'add' | 'remove', members: Array<{ system: string; id: string }>, urgency: string) =>
    mutate(system, `requestJointGroupMembers(groupId: "${GROUP}", operation: ${operation.toUpperCase()}, urgency: ${urgency}, members: [${members.map((m) => `{ system: "${m.system}", mcServiceId: "${m.id}" }`).join(' ')}]) { ${REQUEST_FIELDS} }`);

  beforeAll(async () => {
    await t.startDemo();
    for (const system of ['north', 'south', 'east'] as const) admins[system] = await t.token(system, 'admin', { lifetimeSeconds: 3600 });
    for (const [system, organisation] of [['north', 'north-fire'], ['south', 'south-border'], ['south', 'south-k9'], ['east', 'east-cp']] as const) {
      const res = await as(system, `{ ${system} { users(organisationId: "${organisation}", limit: 20) { id mcServiceIds { mcptt } } } }`);
      users[organisation] = (res.body.data![system].users as Array<{ id: string; mcServiceIds: { mcptt: string } }>).map((u) => ({ id: u.id, mcptt: u.mcServiceIds.mcptt }));
    }
    // North and east make their proposed agreement active; north grants both MEMBERSHIP_UPDATE for the joint group.
    const fingerprint = (await as('east', `{ north { publicKeyFingerprint } }`)).body.data!.north.publicKeyFingerprint;
    expect((await mutate('east', `confirmPartnerFingerprint(partner: "north", fingerprint: "${fingerprint}") { fingerprintConfirmed }`)).body.errors).toBeUndefined();
    expect((await mutate('east', `acceptAgreement(partner: "north", grants: [{ scope: DIRECTORY_READ, organisations: ["east-cp"] }]) { status }`)).body.errors).toBeUndefined();
    await t.until('north and east are active', async () => (await as('north', `{ north { agreement(partner: "east") { status } } }`)).body.data!.north.agreement.status === 'ACTIVE');
    expect((await mutate('north', `setAgreementGrants(partner: "south", grants: [${GRANTS_TO_SOUTH}]) { status }`)).body.errors).toBeUndefined();
    expect((await mutate('north', `setAgreementGrants(partner: "east", grants: [${GRANTS_TO_EAST}]) { status }`)).body.errors).toBeUndefined();
    // South takes joint groups from north by its policy; east's administrators decide themselves (the default).
    expect((await mutate('south', `setRequestPolicy(kind: "group.provide", partner: "north", policy: { mode: "automatic" }) { mode }`)).body.errors).toBeUndefined();
    // North handles south's emergency membership updates at once and queues the rest for a person.
    expect((await mutate('north', `setRequestPolicy(kind: "group.members", partner: "*", policy: { mode: "manual", automaticUrgencies: ["EMERGENCY"] }) { mode automaticUrgencies }`)).body.data!.north.setRequestPolicy).toEqual({ mode: 'manual', automaticUrgencies: ['EMERGENCY'] });
  });

  afterAll(() => t.stop());

  it('the home creates a joint group and provides it; bad input is refused with stable codes', async () => {
    const [a, b] = users['north-fire']!;
    const created = await mutate(
      'north',
      `createJointGroup(groupId: "${GROUP}", input: { name: "Flood response", services: [MCPTT, MCDATA], priority: 5, memberLimit: 6 }, members: [{ system: "north", mcServiceId: "${a!.mcptt}" } { system: "north", mcServiceId: "${b!.mcptt}" }], provideTo: [{ partner: "south" } { partner: "east", handler: "sip:east-duty@mcptt.east.example" }]) { ${JOINT_FIELDS} }`,
    );
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data!.north.createJointGroup).toMatchObject({ role: 'home', status: 'ACTIVE', homeSystem: 'north', priority: 5, memberLimit: 6, memberCount: 2 });
    expect(created.body.data!.north.createJointGroup.members[0]).toMatchObject({ system: 'north', securityDomain: 'https://kms.north.example' });
    expect(created.body.data!.north.createJointGroup.participants).toEqual([
      { partner: 'east', status: 'OFFERED', handler: 'sip:east-duty@mcptt.east.example', decidedBy: null, reason: null },
      { partner: 'south', status: 'OFFERED', handler: null, decidedBy: null, reason: null },
    ]);
    // The same ID again, or the ID of an ordinary group: a clash.
    expect(codes(await mutate('north', `createJointGroup(groupId: "${GROUP}", input: { name: "x", services: [MCPTT], memberLimit: 5 }) { groupId }`))).toEqual(['GROUP_ID_CLASH']);
    expect(codes(await mutate('north', `createJointGroup(groupId: "sip:north-fire-ops@mcptt.north.example", input: { name: "x", services: [MCPTT], memberLimit: 5 }) { groupId }`))).toEqual(['GROUP_ID_CLASH']);
    expect(codes(await mutate('north', `createJointGroup(groupId: "sip:other@mcptt.north.example", input: { name: "x", services: [MCPTT], priority: 0, memberLimit: 5 }) { groupId }`))).toEqual(['BAD_USER_INPUT']);
    // South and east have no agreement: south cannot provide a group to east.
    expect(codes(await mutate('south', `createJointGroup(groupId: "sip:s@mcptt.south.example", input: { name: "x", services: [MCPTT], memberLimit: 5 }, provideTo: [{ partner: "east" }]) { groupId }`))).toEqual(['FORBIDDEN']);
    expect(await joint('south', 'sip:s@mcptt.south.example')).toBeNull(); // nothing half-applied
    // Only north's administrators act on north's joint groups.
    expect(codes(await as('south', `mutation { north { dissolveJointGroup(groupId: "${GROUP}", reason: "x") { status } } }`))).toEqual(['FORBIDDEN']);
  });

  it('south accepts by its policy; at east a person accepts the offer addressed to them', async () => {
    await t.until('south holds the group', async () => (await joint('south'))?.status === 'ACTIVE');
    await t.until('north knows south accepted', async () => (await joint('north'))!.participants.some((p: any) => p.partner === 'south' && p.status === 'ACCEPTED'));
    expect((await joint('north'))!.participants.find((p: any) => p.partner === 'south')).toMatchObject({ decidedBy: 'policy' });
    expect(await joint('south')).toMatchObject({ role: 'participant', homeSystem: 'north', name: 'Flood response', priority: 5, memberLimit: 6 });

    await t.until('east has the offer pending', async () => ((await as('east', `{ east { pendingRequests { id } } }`)).body.data!.east.pendingRequests as unknown[]).length === 1);
    const pending = (await as('east', `{ east { pendingRequests(handler: "sip:east-duty@mcptt.east.example") { ${REQUEST_FIELDS} } } }`)).body.data!.east.pendingRequests;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ kind: 'group.provide', groupId: GROUP, groupName: 'Flood response', status: 'PENDING' });
    expect(await joint('east')).toBeNull(); // not there before it is accepted
    expect(codes(await mutate('east', `decideRequest(partner: "north", requestId: "${pending[0].id}", decision: APPROVE_PART, userIds: ["x"]) { status }`))).toEqual(['BAD_USER_INPUT']);
    const approved = await mutate('east', `decideRequest(partner: "north", requestId: "${pending[0].id}", decision: APPROVE) { status decidedBy }`);
    expect(approved.body.data!.east.decideRequest).toEqual({ status: 'APPROVED', decidedBy: 'admin admin@east of east' });
    await t.until('north knows east accepted', async () => (await joint('north'))!.participants.find((p: any) => p.partner === 'east')?.status === 'ACCEPTED');
    expect((await joint('north'))!.participants.find((p: any) => p.partner === 'east')).toMatchObject({ decidedBy: 'admin admin@east of east' });
    await t.until('every participant holds the same state', () => converged(['south', 'east']));
    expect((await joint('east'))!.members).toEqual((await joint('north'))!.members);
  });

  it('changes the home makes reach every participant; participants cannot change the home copy', async () => {
    const renamed = await mutate('north', `updateJointGroup(groupId: "${GROUP}", patch: { name: "Flood response (river)", priority: 3 }) { name priority version }`);
    expect(renamed.body.errors).toBeUndefined();
    const c = users['north-fire']![2]!;
    expect((await mutate('north', `addGroupMembers(groupId: "${GROUP}", members: [{ system: "north", mcServiceId: "${c.mcptt}" }]) { groupId }`)).body.errors).toBeUndefined();
    await t.until('south and east hold the new state', () => converged(['south', 'east']));
    expect(await joint('east')).toMatchObject({ name: 'Flood response (river)', priority: 3, memberCount: 3 });

    const notHome = await mutate('south', `updateJointGroup(groupId: "${GROUP}", patch: { memberLimit: 100 }) { name }`);
    expect(codes(notHome)).toEqual(['NOT_GROUP_HOME']);
    expect(notHome.body.errors![0]!.message).toContain('north is the home');
    expect(codes(await mutate('south', `dissolveJointGroup(groupId: "${GROUP}", reason: "x") { status }`))).toEqual(['NOT_GROUP_HOME']);
    expect(codes(await as('south', `mutation { north { updateJointGroup(groupId: "${GROUP}", patch: { memberLimit: 100 }) { name } } }`))).toEqual(['FORBIDDEN']);
    expect((await joint('north'))!.memberLimit).toBe(6);
    const southAudit = (await as('south', `{ south { audit(limit: 50) { action result code } } }`)).body.data!.south.audit;
    expect(southAudit).toContainEqual({ action: 'jointGroup.update', result: 'DENIED', code: 'NOT_GROUP_HOME' });
  });

  it("south's emergency addition is handled by north's policy at once; all converge", async () => {
    const [s1] = users['south-border']!;
    const res = await askMembers('south', 'add', [{ system: 'south', id: s1!.mcptt }], 'EMERGENCY');
    expect(res.body.errors).toBeUndefined();
    const id = res.body.data!.south.requestJointGroupMembers.id;
    expect(res.body.data!.south.requestJointGroupMembers).toMatchObject({ kind: 'group.members', status: 'PENDING', urgency: 'EMERGENCY', operation: 'add', groupId: GROUP });
    await t.until('south learns it was approved', async () => (await requestAt('south', id))?.status === 'APPROVED');
    expect(await requestAt('south', id)).toMatchObject({ decidedBy: 'policy', approved: [s1!.id] });
    await t.until('every participant has the new member', () => converged(['south', 'east']));
    expect((await joint('east'))!.members).toContainEqual({ system: 'south', mcServiceId: s1!.mcptt, securityDomain: 'https://kms.south.example' });
  });

  it('a routine addition is queued for a person at the home, who approves it', async () => {
    const [, s2] = users['south-border']!;
    const res = await askMembers('south', 'add', [{ system: 'south', id: s2!.mcptt }], 'ROUTINE');
    const id = res.body.data!.south.requestJointGroupMembers.id;
    await t.until('north has it pending', async () => ((await as('north', `{ north { pendingRequests { id } } }`)).body.data!.north.pendingRequests as Array<{ id: string }>).some((r) => r.id === id));
    expect(await requestAt('north', id)).toMatchObject({ status: 'PENDING', urgency: 'ROUTINE', groupId: GROUP });
    expect(memberIds(await joint('north'))).not.toContain(`south:${s2!.mcptt}`);
    const decided = await mutate('north', `decideRequest(partner: "south", requestId: "${id}", decision: APPROVE) { status decidedBy }`);
    expect(decided.body.data!.north.decideRequest).toEqual({ status: 'APPROVED', decidedBy: 'admin admin@north of north' });
    await t.until('south learns who approved it', async () => (await requestAt('south', id))?.decidedBy === 'admin admin@north of north');
    await t.until('every participant has it', () => converged(['south', 'east']));
    expect(memberIds(await joint('east'))).toContain(`south:${s2!.mcptt}`);
  });

  it('the member limit, foreign users and unknown users are refused, by the sender first and by the home again', async () => {
    // 5 of 6 places are taken.
    const [, , s3, s4] = users['south-border']!;
    const tooMany = await askMembers('south', 'add', [{ system: 'south', id: s3!.mcptt }, { system: 'south', id: s4!.mcptt }], 'EMERGENCY');
    expect(codes(tooMany)).toEqual(['MEMBER_LIMIT_REACHED']);
    expect(tooMany.body.errors![0]!.message).toContain('allows 6 members');
    expect(codes(await askMembers('south', 'add', [{ system: 'east', id: users['east-cp']![0]!.mcptt }], 'EMERGENCY'))).toEqual(['FOREIGN_MEMBER']);
    expect(codes(await askMembers('south', 'add', [{ system: 'south', id: 'sip:nobody@mcptt.south.example' }], 'EMERGENCY'))).toEqual(['BAD_USER_INPUT']);
    // Two participants each ask for the last place; the home approves one and refuses the other by the same rule.
    const fromSouth = (await askMembers('south', 'add', [{ system: 'south', id: s3!.mcptt }], 'ROUTINE')).body.data!.south.requestJointGroupMembers.id;
    const fromEast = (await askMembers('east', 'add', [{ system: 'east', id: users['east-cp']![0]!.mcptt }], 'URGENT')).body.data!.east.requestJointGroupMembers.id;
    await t.until('north has both pending', async () => {
      const pending = (await as('north', `{ north { pendingRequests { id } } }`)).body.data!.north.pendingRequests as Array<{ id: string }>;
      return pending.some((r) => r.id === fromSouth) && pending.some((r) => r.id === fromEast);
    });
    expect((await mutate('north', `decideRequest(partner: "east", requestId: "${fromEast}", decision: APPROVE) { status }`)).body.errors).toBeUndefined();
    const refused = await mutate('north', `decideRequest(partner: "south", requestId: "${fromSouth}", decision: APPROVE) { status }`);
    expect(codes(refused)).toEqual(['MEMBER_LIMIT_REACHED']);
    expect((await requestAt('north', fromSouth))!.status).toBe('PENDING'); // nothing half-applied
    expect((await joint('north'))!.memberCount).toBe(6);
    expect((await mutate('north', `decideRequest(partner: "south", requestId: "${fromSouth}", decision: REJECT, reason: "the group is full") { status }`)).body.data!.north.decideRequest.status).toBe('REJECTED');
    await t.until('south learns why', async () => (await requestAt('south', fromSouth))?.reason === 'the group is full');
    await t.until('every participant holds the 6 members', () => converged(['south', 'east']));
    const northAudit = (await as('north', `{ north { audit(limit: 100) { action result code } } }`)).body.data!.north.audit;
    expect(northAudit).toContainEqual({ action: 'request.decide', result: 'FAILED', code: 'MEMBER_LIMIT_REACHED' });
    // A disabled group's members do not change, for partners as for the home.
    expect((await mutate('north', `updateJointGroup(groupId: "${GROUP}", patch: { disabled: true }) { disabled }`)).body.data!.north.updateJointGroup.disabled).toBe(true);
    await t.until('south holds it disabled', async () => (await joint('south'))?.disabled === true);
    expect(codes(await askMembers('south', 'remove', [{ system: 'south', id: users['south-border']![0]!.mcptt }], 'EMERGENCY'))).toEqual([]);
    await t.until('the home refused the removal from the disabled group', async () => {
      const mine = (await requests('south')).filter((r) => r.kind === 'group.members' && r.operation === 'remove');
      return mine.length === 1 && mine[0]!.status === 'REJECTED' && mine[0]!.refused[0]?.code === 'GROUP_DISABLED';
    });
    expect(codes(await askMembers('south', 'add', [{ system: 'south', id: s4!.mcptt }], 'EMERGENCY'))).toEqual(['GROUP_DISABLED']);
    expect((await mutate('north', `updateJointGroup(groupId: "${GROUP}", patch: { disabled: false }) { disabled }`)).body.errors).toBeUndefined();
    await t.until('south holds it enabled again', async () => (await joint('south'))?.disabled === false);
  });

  it("one query through the gateway reads every member from the member's own system, within what it grants the reader", async () => {
    const query = (system: Slug) => as(system, `{ ${system} { jointGroup(groupId: "${GROUP}") { members { system mcServiceId details { id displayName organisationId mcServiceIds { mcptt } phone } detailsNote } } } }`);
    const atEast = await query('east');
    expect(atEast.body.errors).toBeUndefined();
    const members = atEast.body.data!.east.jointGroup.members as Array<Record<string, any>>;
    const bySystem = (system: string) => members.filter((m) => m.system === system);
    // North grants east DIRECTORY_READ of north-fire (all three north members), without contact data.
    expect(bySystem('north')).toHaveLength(3);
    for (const m of bySystem('north')) {
      expect(m.details).toMatchObject({ organisationId: 'north-fire', mcServiceIds: { mcptt: m.mcServiceId }, phone: null });
      expect(m.detailsNote).toContain('CONTACT_READ');
    }
    // East's own member, from east itself: everything.
    expect(bySystem('east')[0]!.details).toMatchObject({ id: users['east-cp']![0]!.id, organisationId: 'east-cp' });
    expect(bySystem('east')[0]!.detailsNote).toBeNull();
    // South and east have no agreement: south shows east nothing of its members.
    for (const m of bySystem('south')) {
      expect(m.details).toBeNull();
      expect(m.detailsNote).toContain('no agreement');
    }
    // North reads south's members with what south grants north: the border unit, with contact data.
    const atNorth = (await query('north')).body.data!.north.jointGroup.members as Array<Record<string, any>>;
    for (const m of atNorth.filter((x) => x.system === 'south')) {
      expect(m.details).toMatchObject({ organisationId: 'south-border', phone: expect.any(String) });
      expect(m.detailsNote).toBeNull();
    }
  });

  it("a suspended agreement removes the partner's members; every participant is told; resumed, it takes part again", async () => {
    expect((await mutate('north', `suspendAgreement(partner: "south", reason: "exercise paused") { status }`)).body.errors).toBeUndefined();
    await t.until('north removed south members', async () => memberIds(await joint('north')).every((m) => !m.startsWith('south:')));
    expect((await joint('north'))!.participants.find((p: any) => p.partner === 'south')).toMatchObject({ status: 'SUSPENDED' });
    await t.until('east is told', async () => memberIds(await joint('east')).every((m) => !m.startsWith('south:')) && (await converged(['east'])));
    await t.until('south holds its copy as suspended', async () => (await joint('south'))?.status === 'SUSPENDED');
    expect(memberIds(await joint('south')).some((m) => m.startsWith('south:'))).toBe(false);
    expect(codes(await askMembers('south', 'add', [{ system: 'south', id: users['south-border']![0]!.mcptt }], 'EMERGENCY'))).toEqual(['NOT_PARTICIPANT']);

    expect((await mutate('north', `resumeAgreement(partner: "south") { status }`)).body.errors).toBeUndefined();
    expect((await mutate('south', `resumeAgreement(partner: "north") { status }`)).body.errors).toBeUndefined();
    // Both resumed at about the same time: both sides must hold the agreement active (no step lost to the other).
    const status = async (system: Slug, partner: Slug) => (await as(system, `{ ${system} { agreement(partner: "${partner}") { status } } }`)).body.data![system].agreement.status;
    await t.until('the agreement is active on both sides', async () => (await status('north', 'south')) === 'ACTIVE' && (await status('south', 'north')) === 'ACTIVE');
    await t.until('south takes part again', async () => (await joint('south'))?.status === 'ACTIVE' && (await converged(['south', 'east'])));
    expect((await joint('north'))!.participants.find((p: any) => p.partner === 'south')).toMatchObject({ status: 'ACCEPTED' });
  });

  it('the home removes a partner: its members leave, it and the others are told', async () => {
    const removed = await mutate('north', `removeJointGroupPartner(groupId: "${GROUP}", partner: "east", reason: "east stands down") { participants { partner status reason } memberCount }`);
    expect(removed.body.errors).toBeUndefined();
    expect(removed.body.data!.north.removeJointGroupPartner.participants).toContainEqual({ partner: 'east', status: 'REMOVED', reason: 'east stands down' });
    expect(memberIds(await joint('north')).some((m) => m.startsWith('east:'))).toBe(false);
    await t.until('east drops its copy', async () => (await joint('east'))?.status === 'REMOVED');
    expect((await joint('east'))!.reason).toBe('east stands down');
    await t.until('south sees east gone', async () => memberIds(await joint('south')).every((m) => !m.startsWith('east:')) && (await converged(['south'])));
    expect(codes(await askMembers('east', 'add', [{ system: 'east', id: users['east-cp']![1]!.mcptt }], 'EMERGENCY'))).toEqual(['NOT_PARTICIPANT']);
    expect(codes(await mutate('north', `removeJointGroupPartner(groupId: "${GROUP}", partner: "east", reason: "again") { groupId }`))).toEqual(['NOT_PARTICIPANT']);
  });

  it('exports the group as a group document and imports one; unsafe or broken documents are refused', async () => {
    const doc = (await as('north', `{ north { jointGroup(groupId: "${GROUP}") { document } } }`)).body.data!.north.jointGroup.document as string;
    expect(doc).toContain('<group xmlns="urn:oma:xml:poc:list-service"');
    expect(doc).toContain(`<list-service uri="${GROUP}">`);
    expect(doc).toContain('<max-participant-count>6</max-participant-count>');
    expect(doc).toContain('<mcpttgi:on-network-group-priority>3</mcpttgi:on-network-group-priority>');
    for (const m of (await joint('north'))!.members) expect(doc).toContain(`<entry uri="${m.mcServiceId}"><mcx:home-system>${m.system}</mcx:home-system>`);

    const copy = doc.replace(`uri="${GROUP}"`, 'uri="sip:joint-imported@mcptt.north.example"').replace('Flood response (river)', 'Imported &amp; checked');
    const imported = await as('north', `mutation($d: String!) { north { importJointGroup(document: $d, provideTo: [{ partner: "south" }]) { ${JOINT_FIELDS} } } }`, { d: copy });
    expect(imported.body.errors).toBeUndefined();
    expect(imported.body.data!.north.importJointGroup).toMatchObject({ groupId: 'sip:joint-imported@mcptt.north.example', name: 'Imported & checked', priority: 3, memberLimit: 6, memberCount: (await joint('north'))!.memberCount });
    await t.until('south accepts the imported one by its policy', async () => (await joint('south', 'sip:joint-imported@mcptt.north.example'))?.status === 'ACTIVE');

    // A partner that already uses the ID refuses the offer, and the home learns why.
    expect((await mutate('south', `createGroup(groupId: "sip:joint-clash@mcptt.north.example", input: { name: "South's own", services: [MCPTT], memberLimit: 5 }) { groupId }`)).body.errors).toBeUndefined();
    const clashing = doc.replace(`uri="${GROUP}"`, 'uri="sip:joint-clash@mcptt.north.example"');
    expect((await as('north', `mutation($d: String!) { north { importJointGroup(document: $d, provideTo: [{ partner: "south" }]) { groupId } } }`, { d: clashing })).body.errors).toBeUndefined();
    await t.until('south declined the clashing group', async () => (await joint('north', 'sip:joint-clash@mcptt.north.example'))!.participants[0].status === 'DECLINED');
    expect((await joint('north', 'sip:joint-clash@mcptt.north.example'))!.participants[0]).toMatchObject({ decidedBy: 'policy', reason: expect.stringContaining('already in use at south') });
    const refusedOffer = (await requests('north')).find((r) => r.kind === 'group.provide' && r.groupId === 'sip:joint-clash@mcptt.north.example');
    expect(refusedOffer).toMatchObject({ status: 'REJECTED', refused: [{ userId: 'sip:joint-clash@mcptt.north.example', code: 'GROUP_ID_CLASH' }] });

    const importing = (d: string) => as('north', `mutation($d: String!) { north { importJointGroup(document: $d) { groupId } } }`, { d });
    expect(codes(await importing(doc))).toEqual(['GROUP_ID_CLASH']);
    const xxe = `<?xml version="1.0"?><!DOCTYPE group [<!ENTITY x SYSTEM "file:///etc/passwd">]><group xmlns="urn:oma:xml:poc:list-service"><list-service uri="sip:x@north"><display-name>&x;</display-name><list/><max-participant-count>5</max-participant-count></list-service></group>`;
    const refused = await importing(xxe);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.body.errors![0]!.message).toContain('DTD');
    expect(codes(await importing('<group><list-service uri="sip:y@north">'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await importing(doc.replace('<mcx:home-system>north</mcx:home-system>\n    <mcx:services>', '<mcx:home-system>south</mcx:home-system>\n    <mcx:services>').replace(`uri="${GROUP}"`, 'uri="sip:z@north"')))).toEqual(['NOT_GROUP_HOME']);
    expect(codes(await importing(`<group xmlns="urn:oma:xml:poc:list-service"><list-service uri="sip:big@north"><display-name>${'x'.repeat(1_100_000)}</display-name></list-service></group>`))).toEqual(['BAD_USER_INPUT']);
  });

  it('the home dissolves the group: every participant is told, and later updates are refused', async () => {
    // A joint group is dissolved, not removed like an ordinary group (participants must be told).
    const removal = await mutate('north', `removeGroup(groupId: "${GROUP}")`);
    expect(codes(removal)).toEqual(['CONFLICT']);
    expect(removal.body.errors![0]!.message).toContain('dissolve it');
    const dissolved = await mutate('north', `dissolveJointGroup(groupId: "${GROUP}", reason: "flood over") { status reason }`);
    expect(dissolved.body.data!.north.dissolveJointGroup).toEqual({ status: 'DISSOLVED', reason: 'flood over' });
    expect((await as('north', `{ north { group(groupId: "${GROUP}") { groupId } } }`)).body.data!.north.group).toBeNull();
    await t.until('south holds it as dissolved', async () => (await joint('south'))?.status === 'DISSOLVED');
    expect(codes(await askMembers('south', 'remove', [{ system: 'south', id: users['south-border']![0]!.mcptt }], 'EMERGENCY'))).toEqual(['GROUP_DISSOLVED']);
    expect(codes(await mutate('north', `updateJointGroup(groupId: "${GROUP}", patch: { name: "again" }) { name }`))).toEqual(['GROUP_DISSOLVED']);
    expect(codes(await mutate('north', `dissolveJointGroup(groupId: "${GROUP}", reason: "again") { status }`))).toEqual(['GROUP_DISSOLVED']);
    expect(codes(await mutate('north', `provideJointGroup(groupId: "${GROUP}", partner: "east") { status }`))).toEqual(['GROUP_DISSOLVED']);
    const northAudit = (await as('north', `{ north { audit(limit: 200) { action result code } } }`)).body.data!.north.audit as Array<Record<string, unknown>>;
    for (const action of ['jointGroup.create', 'jointGroup.update', 'jointGroup.removePartner', 'jointGroup.dissolve', 'jointGroup.import']) {
      expect(northAudit).toContainEqual(expect.objectContaining({ action, result: 'OK' }));
    }
    expect(northAudit).toContainEqual({ action: 'jointGroup.dissolve', result: 'FAILED', code: 'GROUP_DISSOLVED' });
  });

  it("an agreement that ends removes the partner's members and its part in every joint group, on both sides", async () => {
    const imported = 'sip:joint-imported@mcptt.north.example';
    const s1 = users['south-border']![0]!;
    expect((await mutate('north', `addGroupMembers(groupId: "${imported}", members: [{ system: "south", mcServiceId: "${s1.mcptt}" }]) { groupId }`)).body.errors).toBeUndefined();
    await t.until('south holds its member in the imported group', async () => memberIds(await joint('south', imported)).includes(`south:${s1.mcptt}`));
    expect((await mutate('north', `terminateAgreement(partner: "south", reason: "mission ended") { status }`)).body.errors).toBeUndefined();
    const home = (await joint('north', imported))!;
    expect(memberIds(home).some((m) => m.startsWith('south:'))).toBe(false);
    expect(home.participants.find((p: any) => p.partner === 'south')).toMatchObject({ status: 'REMOVED' });
    await t.until('south holds the copy as removed', async () => (await joint('south', imported))?.status === 'REMOVED');
  });
});
