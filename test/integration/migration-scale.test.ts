/**
 * A large incident: home asks host to authorise 10,000 of its responders in one request, handled in
 * one go by host's policy, end to end across live processes, on each store. (Timing is measured by
 * the benchmark, `npm run bench`; this test checks that nothing is lost or half-applied.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_USERS } from '../../subgraphs/src/seed/bench-seed.js';
import { STORES, TestTopology } from '../support/harness.js';

describe.each(STORES)('a 10,000-user migration request on %s', (store) => {
  const t = new TestTopology(store);
  let homeAdmin: string;
  let hostAdmin: string;

  beforeAll(async () => {
    await t.start({ pollMs: 300, accessTtlMs: 200, systems: [{ slug: 'home', name: 'Home', seed: 'migration' }, { slug: 'host', name: 'Host', seed: 'migration' }] });
    homeAdmin = await t.token('home', 'admin', { lifetimeSeconds: 3600 });
    hostAdmin = await t.token('host', 'admin', { lifetimeSeconds: 3600 });
  }, 180_000);

  afterAll(() => t.stop());

  async function allIds(system: string, token: string, query: (offset: number) => string, pick: (data: any) => Array<{ userId?: string; id?: string }>): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = pick((await t.gateway(query(offset), { token })).body.data![system]);
      ids.push(...page.map((p) => (p.userId ?? p.id)!));
      if (page.length < 500) return ids;
    }
  }

  it('authorises all 10,000 users in one go, and both sides hold every authorisation', async () => {
    const policy = await t.gateway(`mutation { host { setRequestPolicy(kind: "migration.authorise", partner: "home", policy: { mode: "automatic", maxDays: 30 }) { mode } } }`, { token: hostAdmin });
    expect(policy.body.errors).toBeUndefined();
    const userIds = await allIds('home', homeAdmin, (offset) => `{ home { users(limit: 500, offset: ${offset}) { id } } }`, (d) => d.users);
    expect(userIds).toHaveLength(MIGRATION_USERS);
    const sent = await t.gateway(`mutation($ids: [ID!]!, $until: DateTimeISO!) { home { requestMigration(partner: "host", userIds: $ids, services: [MCPTT, MCDATA], validUntil: $until) { id status userCount } } }`, {
      token: homeAdmin,
      variables: { ids: userIds, until: new Date(Date.now() + 7 * 86_400_000).toISOString() },
    });
    expect(sent.body.errors).toBeUndefined();
    const id = sent.body.data!.home.requestMigration.id;
    expect(sent.body.data!.home.requestMigration).toMatchObject({ status: 'PENDING', userCount: MIGRATION_USERS });
    await t.until('approved at home', async () => {
      const res = await t.gateway(`{ home { requests(direction: OUTBOUND) { id status } } }`, { token: homeAdmin });
      return res.body.data!.home.requests.some((r: any) => r.id === id && r.status === 'APPROVED');
    }, 60_000);
    const atHost = await allIds('host', hostAdmin, (offset) => `{ host { migrationAuthorisations(direction: INBOUND, status: "ACTIVE", limit: 500, offset: ${offset}) { userId } } }`, (d) => d.migrationAuthorisations);
    const atHome = await allIds('home', homeAdmin, (offset) => `{ home { migrationAuthorisations(direction: OUTBOUND, status: "ACTIVE", limit: 500, offset: ${offset}) { userId } } }`, (d) => d.migrationAuthorisations);
    expect(new Set(atHost)).toEqual(new Set(userIds));
    expect(new Set(atHome)).toEqual(new Set(userIds));
  }, 120_000);
});
