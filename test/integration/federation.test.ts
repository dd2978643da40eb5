/**
 * Three demo systems + the mutual-aid gateway as real processes on loopback ports, on each store
 * (SQLite, and PostgreSQL when DATABASE_URL is set).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { freePort } from '../../cli/topology.js';
import { issueAssertion, issueCallerToken, gatewayIssuer } from '../../identity/tokens.js';
import { DEMO_SYSTEMS } from '../../subgraphs/src/seed/demo-seed.js';
import { codes, expectNoLeak, sleep, STORES, TestTopology } from '../support/harness.js';
import { Subscriber } from '../support/subscriber.js';

const USERS_QUERY = `{ north { users(limit: 500) { id displayName organisation { id } mcServiceIds { mcptt mcdata mcvideo } enabledServices phone email } } }`;

describe.each(STORES)('federated core on %s', (store) => {
  const t = new TestTopology(store);
  let refusedServer: Server;
  let southSystem: string;
  let northAdmin: string;
  let eastAdmin: string;

  beforeAll(async () => {
    // A "subgraph" that publishes a contract version this gateway does not know.
    const refusedPort = await freePort();
    refusedServer = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ slug: 'legacy', name: 'Legacy', contractVersion: '0.9', publicKey: '', publicKeyFingerprint: '' }));
    }).listen(refusedPort, '127.0.0.1');
    await t.start({
      pollMs: 300,
      accessTtlMs: 200,
      systems: [
        ...(['north', 'south', 'east'] as const).map((slug) => ({ slug, name: DEMO_SYSTEMS[slug].name, seed: 'demo' as const })),
        { slug: 'west', name: 'West Joins Later', deferStart: true },
      ],
      extraSubgraphs: [{ slug: 'legacy', url: `http://127.0.0.1:${refusedPort}` }],
    });
    southSystem = await t.token('south', 'system');
    northAdmin = await t.token('north', 'admin');
    eastAdmin = await t.token('east', 'admin');
  });

  afterAll(async () => {
    refusedServer?.close();
    await t.stop();
  });

  it('composes every system under its own root field, for queries and mutations', async () => {
    const res = await t.gateway(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`);
    const queryFields = res.body.data!.__schema.queryType.fields.map((f: { name: string }) => f.name);
    const mutationFields = res.body.data!.__schema.mutationType.fields.map((f: { name: string }) => f.name);
    expect(queryFields).toEqual(expect.arrayContaining(['north', 'south', 'east']));
    expect(mutationFields).toEqual(expect.arrayContaining(['north', 'south', 'east']));
    const both = await t.gateway(`{ north { slug name } south { slug name } east { slug } }`, { token: southSystem });
    expect(both.body.errors).toBeUndefined();
    expect(both.body.data).toEqual({ north: { slug: 'north', name: 'North Fire & Rescue' }, south: { slug: 'south', name: 'South Police' }, east: { slug: 'east' } });
  });

  it('composes the supergraph checked in as schema/supergraph.demo.graphql', async () => {
    const res = await t.gateway(getIntrospectionQuery());
    const printed = `${printSchema(buildClientSchema(res.body.data as never))}\n`;
    const file = new URL('../../schema/supergraph.demo.graphql', import.meta.url);
    if (process.env.MCX_UPDATE_SNAPSHOT === '1') writeFileSync(file, printed);
    expect(printed).toBe(readFileSync(file, 'utf8'));
  });

  it('serves GraphiQL and its assets itself, with no CDN', async () => {
    const page = await (await fetch(`${t.topology.gatewayUrl}/graphiql`)).text();
    expect(page).toContain('GraphiQL');
    expect(page).not.toMatch(/src="https?:|href="https?:/);
    for (const asset of ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css']) {
      const response = await fetch(`${t.topology.gatewayUrl}/graphiql/assets/${asset}`);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('refuses a subgraph whose contract version it does not know, with a clear message', async () => {
    const health = (await (await fetch(`${t.topology.gatewayUrl}/health`)).json()) as { systems: Array<{ slug: string; state: string; message: string }> };
    const legacy = health.systems.find((s: { slug: string }) => s.slug === 'legacy')!;
    expect(legacy.state).toBe('refused');
    expect(legacy.message).toContain('contract version 0.9');
    const res = await t.gateway(`{ legacy { name } }`, { token: southSystem });
    expect(codes(res)).toEqual(['UNKNOWN_SYSTEM']);
    const metrics = await (await fetch(`${t.topology.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/^mcx_gateway_systems\{[^}]*state="refused"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^mcx_gateway_systems\{[^}]*state="composed"[^}]*\} 3$/m);
    expect(metrics).toMatch(/^mcx_gateway_requests_total\{/m);
  });

  it('lets south read only what north granted: rows, services and fields', async () => {
    const res = await t.gateway(USERS_QUERY, { token: southSystem });
    const users = res.body.data!.north.users as Array<any>;
    expect(users.length).toBe(26); // north-fire (14) + north-border (12); north-ems is not granted
    expect(new Set(users.map((u) => u.organisation.id))).toEqual(new Set(['north-fire', 'north-border']));
    expect(users.every((u) => u.mcServiceIds.mcvideo === null && !u.enabledServices.includes('MCVIDEO'))).toBe(true);
    expect(users.some((u) => u.mcServiceIds.mcdata !== null)).toBe(true);
    expect(users.every((u) => u.phone === null && u.email === null)).toBe(true);
    // One error per denied field, not per value.
    const denials = res.body.errors!.filter((e) => e.extensions?.code === 'FORBIDDEN_FIELD');
    expect(denials.map((e) => e.extensions!.field).sort()).toEqual(['User.email', 'User.phone']);
    expect(denials.find((e) => e.extensions!.field === 'User.phone')!.message).toContain('CONTACT_READ');

    const groups = await t.gateway(`{ north { groups(limit: 500) { groupId members { system mcServiceId } memberLimit } } }`, { token: southSystem });
    const list = groups.body.data!.north.groups as Array<any>;
    expect(list.map((g) => g.groupId).some((id: string) => id.includes('north-ems'))).toBe(false);
    const border = list.find((g) => g.groupId === 'sip:north-border-ops@mcptt.north.example');
    expect(border.members.length).toBeGreaterThan(0);
    expect(list.filter((g) => g !== border).every((g) => g.members === null && g.memberLimit === null)).toBe(true);
  });

  it('keeps the same denials when a query is run again (compiled by the gateway after its first run)', async () => {
    for (let run = 0; run < 4; run++) {
      const res = await t.gateway(USERS_QUERY, { token: southSystem });
      expect((res.body.data!.north.users as Array<any>).length).toBe(26);
      expect((res.body.data!.north.users as Array<any>).every((u) => u.phone === null && u.email === null)).toBe(true);
      const denials = res.body.errors!.filter((e) => e.extensions?.code === 'FORBIDDEN_FIELD');
      expect(denials.map((e) => e.extensions!.field).sort()).toEqual(['User.email', 'User.phone']);
      expect(res.body.errors!.length).toBe(2);
    }
    for (let run = 0; run < 3; run++) {
      const res = await t.gateway(USERS_QUERY, { token: northAdmin });
      expect(res.body.errors).toBeUndefined();
      expect((res.body.data!.north.users as Array<any>).every((u) => typeof u.phone === 'string')).toBe(true);
    }
  });

  it("gives north's administrator all of north, and nothing of east beyond its public card", async () => {
    const res = await t.gateway(USERS_QUERY, { token: northAdmin });
    expect(res.body.errors).toBeUndefined();
    const users = res.body.data!.north.users as Array<any>;
    expect(users.length).toBe(36);
    expect(users.every((u) => typeof u.phone === 'string')).toBe(true);
    expect(users.some((u) => u.mcServiceIds.mcvideo !== null)).toBe(true);

    const east = await t.gateway(`{ east { name publicKeyFingerprint users { id } groups { groupId } } }`, { token: northAdmin });
    expect(east.body.data!.east.name).toBe('East Civil Protection');
    expect(east.body.data!.east.publicKeyFingerprint).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(east.body.data!.east.users).toBeNull();
    expect(east.body.errors!.map((e) => e.message).join(' ')).toContain('PROPOSED');
  });

  it('lets a partner see only its own agreement and refuses another partner\'s view', async () => {
    const res = await t.gateway(`{ north { agreements { partnerSystem status } access { grants { scope } } other: access(partner: "east") { isOwner } } }`, { token: southSystem });
    expect(res.body.data!.north.agreements).toEqual([{ partnerSystem: 'south', status: 'ACTIVE' }]);
    expect(res.body.data!.north.access.grants.map((g: { scope: string }) => g.scope).sort()).toEqual(['DIRECTORY_READ', 'GROUP_CONFIG_READ', 'MEMBERSHIP_UPDATE']);
    expect(res.body.data!.north.other).toBeNull();
    expect(codes(res)).toEqual(['FORBIDDEN_PARTNER_VIEW']);
  });

  it('refuses a mutation a partner is not granted, and changes nothing', async () => {
    const create = `mutation { north { createUser(input: { displayName: "Intruder", organisationId: "north-fire", mcpttId: "sip:intruder@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example" }) { id } } }`;
    const res = await t.gateway(create, { token: southSystem });
    expect(codes(res)).toEqual(['FORBIDDEN']);
    await t.until('the gateway logs the refusal', async () => t.topology.gateway.output.join('').includes('refused mutation by system south of south: north.createUser'), 3000);
    const check = await t.gateway(`{ north { user(mcServiceId: "sip:intruder@mcptt.north.example") { id } } }`, { token: northAdmin });
    expect(check.body.data!.north.user).toBeNull();
  });

  it('lets south add and remove its own users in the group north granted, and nothing else', async () => {
    const group = 'sip:north-border-ops@mcptt.north.example';
    const own = { system: 'south', mcServiceId: 'sip:anna.dahl@mcptt.south.example' };
    const add = `mutation($g: ID!, $m: [MemberRefInput!]!) { north { addGroupMembers(groupId: $g, members: $m) { groupId members { system mcServiceId } } } }`;
    const added = await t.gateway(add, { token: southSystem, variables: { g: group, m: [own] } });
    expect(added.body.errors).toBeUndefined();
    expect(added.body.data!.north.addGroupMembers.members).toContainEqual(own);

    const foreign = await t.gateway(add, { token: southSystem, variables: { g: group, m: [{ system: 'north', mcServiceId: 'sip:anna.berg@mcptt.north.example' }] } });
    expect(codes(foreign)).toEqual(['FORBIDDEN']);
    const other = await t.gateway(add, { token: southSystem, variables: { g: 'sip:north-fire-ops@mcptt.north.example', m: [own] } });
    expect(codes(other)[0]).toMatch(/FORBIDDEN|NOT_FOUND/);

    const remove = `mutation($g: ID!, $m: [MemberRefInput!]!) { north { removeGroupMembers(groupId: $g, members: $m) { members { system mcServiceId } } } }`;
    const removed = await t.gateway(remove, { token: southSystem, variables: { g: group, m: [own] } });
    expect(removed.body.data!.north.removeGroupMembers.members).not.toContainEqual(own);

    const audit = await t.gateway(`{ north { audit(limit: 20) { actorSystem action result code } } }`, { token: northAdmin });
    const entries = audit.body.data!.north.audit as Array<any>;
    expect(entries).toContainEqual({ actorSystem: 'south', action: 'group.members.add', result: 'OK', code: null });
    expect(entries).toContainEqual({ actorSystem: 'south', action: 'group.members.add', result: 'DENIED', code: 'FORBIDDEN' });
  });

  it('sends a mutation as a mutation and a query as a query', async () => {
    const create = `mutation { north { createUser(input: { displayName: "Nora Test", organisationId: "north-ems", mcpttId: "sip:nora.test@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example", email: "nora@north.example" }) { id displayName organisation { id } } } }`;
    const res = await t.gateway(create, { token: northAdmin });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.north.createUser.displayName).toBe('Nora Test');
    const asQuery = await t.gateway(create.replace(/^mutation/, 'query'), { token: northAdmin });
    expect(codes(asQuery)).toContain('GRAPHQL_VALIDATION_FAILED');
    const found = await t.gateway(`{ north { user(mcServiceId: "sip:nora.test@mcptt.north.example") { displayName } } }`, { token: northAdmin });
    expect(found.body.data!.north.user.displayName).toBe('Nora Test');
  });

  it('applies a change of what north grants at once (within the access cache time)', async () => {
    const grants = (withContact: boolean) => `mutation { north { setAgreementGrants(partner: "south", grants: [
      { scope: DIRECTORY_READ, organisations: ["north-border", "north-fire"], services: [MCPTT, MCDATA] },
      { scope: GROUP_CONFIG_READ, groups: ["sip:north-border-ops@mcptt.north.example"] },
      { scope: MEMBERSHIP_UPDATE, groups: ["sip:north-border-ops@mcptt.north.example"] }
      ${withContact ? ', { scope: CONTACT_READ, organisations: ["north-border"] }' : ''}
    ]) { partnerSystem grantedToPartner { scope } } } }`;
    const granted = await t.gateway(grants(true), { token: northAdmin });
    expect(granted.body.errors).toBeUndefined();
    await sleep(400);
    const res = await t.gateway(`{ north { users(limit: 500) { organisation { id } phone } } }`, { token: southSystem });
    const users = res.body.data!.north.users as Array<any>;
    expect(users.filter((u) => u.organisation.id === 'north-border').every((u) => typeof u.phone === 'string')).toBe(true);
    expect(users.filter((u) => u.organisation.id === 'north-fire').every((u) => u.phone === null)).toBe(true);
    // A partner can never widen what it is granted.
    const widen = await t.gateway(grants(true).replace('partner: "south"', 'partner: "south"'), { token: southSystem });
    expect(codes(widen)).toEqual(['FORBIDDEN']);
    await t.gateway(grants(false), { token: northAdmin });
    await sleep(400);
    const after = await t.gateway(`{ north { users(limit: 500) { phone } } }`, { token: southSystem });
    expect((after.body.data!.north.users as Array<any>).every((u) => u.phone === null)).toBe(true);
  });

  it('refuses missing, forged, expired, wrong-audience and unknown-issuer tokens', async () => {
    const query = `{ north { name } }`;
    const missing = await t.gateway(query);
    expect(codes(missing)).toEqual(['UNAUTHENTICATED']);
    expect(missing.status).toBe(401);

    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = await issueCallerToken(privateKey, { system: 'south', kind: 'system', subject: 'south', audience: gatewayIssuer('mutual-aid') });
    const forgedRes = await t.gateway(query, { token: forged });
    expect(forgedRes.status).toBe(401);
    expect(codes(forgedRes)).toEqual(['TOKEN_INVALID']);

    const wrongAudience = await t.token('south', 'system', { audience: 'mcx-gateway:elsewhere' });
    expect(codes(await t.gateway(query, { token: wrongAudience }))).toEqual(['TOKEN_WRONG_AUDIENCE']);

    const unknown = await issueCallerToken(privateKey, { system: 'nowhere', kind: 'admin', subject: 'x', audience: gatewayIssuer('mutual-aid') });
    expect(codes(await t.gateway(query, { token: unknown }))).toEqual(['TOKEN_UNKNOWN_ISSUER']);

    const { loadOrCreateKeyPair } = await import('../../identity/keys.js');
    const southKey = loadOrCreateKeyPair(`${t.dataDir}/south/keys`).privateKey;
    const expired = await new SignJWT({ mcx_kind: 'system' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer('mcx:south')
      .setSubject('south')
      .setAudience(gatewayIssuer('mutual-aid'))
      .setIssuedAt(Math.floor(Date.now() / 1000) - 400)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 200)
      .sign(southKey);
    expect(codes(await t.gateway(query, { token: expired }))).toEqual(['TOKEN_EXPIRED']);
    expect(codes(await t.gateway(query, { token: 'not-a-token' }))).toEqual(['TOKEN_INVALID']);
  });

  it('re-checks every rule in the subgraph when the gateway is bypassed', async () => {
    const assertion = await t.assertion('north', { system: 'south', kind: 'system', subject: 'south' });
    const res = await t.subgraph('north', USERS_QUERY, { assertion });
    const users = res.body.data!.north.users as Array<any>;
    expect(users.length).toBe(26);
    expect(users.every((u) => u.phone === null && u.mcServiceIds.mcvideo === null)).toBe(true);
    expect(res.body.errors!.filter((e) => e.extensions?.code === 'FORBIDDEN_FIELD').length).toBe(2);

    const create = `mutation { north { createUser(input: { displayName: "Bypass", organisationId: "north-fire", mcpttId: "sip:bypass@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example" }) { id } } }`;
    const denied = await t.subgraph('north', create, { assertion });
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    expect(denied.body.data!.north.createUser).toBeNull();

    const { privateKey } = generateKeyPairSync('ed25519');
    const untrusted = await issueAssertion(privateKey, { gatewayId: 'mutual-aid', subgraph: 'north', principal: { system: 'north', kind: 'admin', subject: 'mallory' } });
    const refused = await t.subgraph('north', USERS_QUERY, { assertion: untrusted });
    expect(refused.status).toBe(401);
    expect(codes(refused)).toEqual(['ASSERTION_UNTRUSTED']);

    const forSouth = await t.assertion('south', { system: 'north', kind: 'admin', subject: 'admin@north' });
    expect(codes(await t.subgraph('north', USERS_QUERY, { assertion: forSouth }))).toEqual(['TOKEN_WRONG_AUDIENCE']);
    expect(codes(await t.subgraph('north', USERS_QUERY))).toEqual(['UNAUTHENTICATED']);
  });

  it('answers bad input with a stable code and leaks nothing', async () => {
    const tooDeep = `{ north { ${'users { '.repeat(14)}id${' }'.repeat(14)} } }`;
    const deep = await t.gateway(tooDeep, { token: southSystem });
    expect(codes(deep)).toContain('QUERY_TOO_DEEP');
    expect(deep.body.data ?? null).toBeNull();

    const tooManyFields = `{ north { ${Array.from({ length: 1600 }, (_, i) => `a${i}: slug`).join(' ')} } }`;
    const complex = await t.gateway(tooManyFields, { token: southSystem });
    expect(codes(complex)).toEqual(['QUERY_TOO_COMPLEX']);

    const huge = await t.gateway(`{ north { slug } } ${'#'.repeat(60_000)}`, { token: southSystem });
    expect(huge.status).toBe(413);
    expect(codes(huge)).toEqual(['QUERY_TOO_LARGE']);

    const malformed = await t.gateway(`{ north { slug `, { token: southSystem });
    expect(codes(malformed)).toEqual(['GRAPHQL_PARSE_FAILED']);

    const unknown = await t.gateway(`{ atlantis { slug } }`, { token: southSystem });
    expect(codes(unknown)).toEqual(['UNKNOWN_SYSTEM']);
    expect(unknown.body.errors![0]!.message).toContain('north');

    const service = await t.gateway(`{ _service { sdl } }`, { token: southSystem });
    expect(codes(service)).toContain('FORBIDDEN');

    const badEmail = await t.gateway(
      `mutation { north { createUser(input: { displayName: "Bad", organisationId: "north-fire", mcpttId: "sip:bad@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example", email: "not-an-email" }) { id } } }`,
      { token: northAdmin },
    );
    expect(codes(badEmail)).toEqual(['BAD_USER_INPUT']);
    const duplicate = await t.gateway(
      `mutation { north { createUser(input: { displayName: "Dup", organisationId: "north-fire", mcpttId: "sip:anna.berg@mcptt.north.example", enabledServices: [MCPTT], securityDomain: "https://kms.north.example" }) { id } } }`,
      { token: northAdmin },
    );
    expect(codes(duplicate)).toEqual(['CONFLICT']);
    const badLimit = await t.gateway(`{ north { users(limit: 100000) { id } } }`, { token: northAdmin });
    expect(codes(badLimit)).toEqual(['BAD_USER_INPUT']);
    for (const res of [deep, complex, huge, malformed, unknown, service, badEmail, duplicate, badLimit]) expectNoLeak(res);
  });

  it('keeps denials in force after a new system joins the running gateway', async () => {
    await t.topology.startSystem({ slug: 'west', name: 'West Joins Later', seed: null, env: t.systemEnv('west') });
    const deadline = Date.now() + 10_000;
    let joined = false;
    while (!joined && Date.now() < deadline) {
      const res = await t.gateway(`{ west { slug } }`, { token: southSystem });
      joined = res.body.data?.west?.slug === 'west';
      if (!joined) await sleep(200);
    }
    expect(joined).toBe(true);
    // The gateway itself (mercurius-auth on the recomposed schema) still denies, not only the subgraph.
    const deniedByGateway = async () => {
      const metrics = await (await fetch(`${t.topology.gatewayUrl}/metrics`)).text();
      return Number(/^mcx_gateway_field_denials_total\{[^}]*field="User.phone"[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    };
    const before = await deniedByGateway();
    const res = await t.gateway(USERS_QUERY, { token: southSystem });
    expect((await deniedByGateway()) - before).toBe(26);
    expect((res.body.data!.north.users as Array<any>).every((u) => u.phone === null)).toBe(true);
    expect(res.body.errors!.some((e) => e.extensions?.field === 'User.phone')).toBe(true);
    const create = await t.gateway(`mutation { north { removeUser(id: "north-u0001") } }`, { token: eastAdmin });
    expect(codes(create)).toEqual(['FORBIDDEN']);
    // Subscriptions of the recomposed schema are forwarded too: west's own subgraph answers (an
    // owner must name the partner whose view to follow), and a system with no agreement is refused.
    const westAdmin = await t.token('west', 'admin');
    const own = new Subscriber(t.topology.gatewayUrl, `subscription { west { id } }`, { token: westAdmin });
    const stranger = new Subscriber(t.topology.gatewayUrl, `subscription { west { id } }`, { token: southSystem });
    try {
      await own.until('west answers', () => own.ended);
      await stranger.until('south is refused', () => stranger.ended);
      expect(own.codes()).toEqual(['BAD_USER_INPUT']);
      expect(stranger.codes()).toEqual(['FORBIDDEN']);
    } finally {
      await own.close();
      await stranger.close();
    }
  });
});
