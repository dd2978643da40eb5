/** "As seen by partner": what north's administrators see of north as south sees it is what south itself reads. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, STORES, TestTopology } from '../support/harness.js';

describe.each(STORES)('the directory as a partner sees it, on %s', (store) => {
  const t = new TestTopology(store);
  beforeAll(async () => void (await t.startDemo()));
  afterAll(() => t.stop());

  it('shows exactly the users, groups and fields the partner reads itself', async () => {
    const northAdmin = await t.token('north', 'admin');
    const southSystem = await t.token('south', 'system');
    const view = await t.gateway(`{ north { directoryAsSeenBy(partner: "south", limit: 500) { partner agreementStatus scopes users { id mcptt mcdata mcvideo phone } groups { groupId members { mcServiceId } memberLimit } } } }`, { token: northAdmin });
    expect(view.body.errors).toBeUndefined();
    const seen = view.body.data!.north.directoryAsSeenBy;
    expect(seen).toMatchObject({ partner: 'south', agreementStatus: 'ACTIVE', scopes: ['DIRECTORY_READ', 'GROUP_CONFIG_READ', 'MEMBERSHIP_UPDATE'] });
    const own = await t.gateway(`{ north { users(limit: 500) { id mcServiceIds { mcptt mcdata mcvideo } } groups(limit: 500) { groupId memberLimit } } }`, { token: southSystem });
    const theirs = own.body.data!.north;
    expect(seen.users.map((u: any) => u.id).sort()).toEqual(theirs.users.map((u: any) => u.id).sort());
    expect(seen.users.map((u: any) => ({ id: u.id, mcptt: u.mcptt, mcdata: u.mcdata, mcvideo: u.mcvideo })).sort((a: any, b: any) => a.id.localeCompare(b.id))).toEqual(
      theirs.users.map((u: any) => ({ id: u.id, ...u.mcServiceIds })).sort((a: any, b: any) => a.id.localeCompare(b.id)),
    );
    expect(seen.users.every((u: any) => u.phone === null)).toBe(true); // no CONTACT_READ for south
    expect(seen.groups.map((g: any) => g.groupId).sort()).toEqual(theirs.groups.map((g: any) => g.groupId).sort());
    const east = (await t.gateway(`{ north { directoryAsSeenBy(partner: "east") { agreementStatus users { id } groups { groupId } } } }`, { token: northAdmin })).body.data!.north.directoryAsSeenBy;
    expect(east).toEqual({ agreementStatus: 'PROPOSED', users: [], groups: [] });
    expect(codes(await t.gateway(`{ north { directoryAsSeenBy(partner: "east") { partner } } }`, { token: southSystem }))).toEqual(['FORBIDDEN_FIELD']);
  });
});
