/**
 * Administrators sign in through the gateway without a token (the console's first step): the owning
 * system checks the password and issues its administrator's token; wrong passwords are refused the
 * same way whatever was wrong, audited, and lock the account after five in a row; nothing else is
 * open without a token; accounts are managed by the system's own administrators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, STORES, TestTopology } from '../support/harness.js';

describe.each(STORES)('signing in on %s', (store) => {
  const t = new TestTopology(store);
  const signIn = (system: string, username: string, password: string) =>
    t.gateway(`mutation($u: String!, $p: String!) { ${system} { signIn(username: $u, password: $p) { token subject expiresAt } } }`, { variables: { u: username, p: password } });

  beforeAll(async () => {
    await t.startDemo();
  });
  afterAll(() => t.stop());

  it("the demo's administrators sign in without a token and get their system's administrator token", async () => {
    const res = await signIn('north', 'admin@north', 'north-admin-demo');
    expect(res.body.errors).toBeUndefined();
    const { token, subject, expiresAt } = res.body.data!.north.signIn;
    expect(subject).toBe('admin@north');
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    const me = await t.gateway(`{ north { access { isOwner } administrators } south { access { isOwner agreementStatus } } }`, { token });
    expect(me.body.errors).toBeUndefined();
    expect(me.body.data).toEqual({ north: { access: { isOwner: true }, administrators: ['admin@north'] }, south: { access: { isOwner: false, agreementStatus: 'ACTIVE' } } });
    // A token of north's administrator is north's, whatever system the sign-in asked: south's password does not open north.
    expect(codes(await signIn('north', 'admin@south', 'south-admin-demo'))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses wrong passwords and unknown users alike, audits them, and locks after five in a row', async () => {
    const admin = (await signIn('east', 'admin@east', 'east-admin-demo')).body.data!.east.signIn.token as string;
    const created = await t.gateway(`mutation { east { setAdministrator(username: "duty@east", password: "a long enough password") } }`, { token: admin });
    expect(created.body.errors).toBeUndefined();
    const wrong = await signIn('east', 'duty@east', 'not the password');
    const unknown = await signIn('east', 'nobody@east', 'not the password');
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.body.errors![0]!.message).toBe(unknown.body.errors![0]!.message);
    for (let i = 0; i < 4; i++) await signIn('east', 'duty@east', 'still not it');
    const locked = await signIn('east', 'duty@east', 'a long enough password');
    expect(codes(locked)).toEqual(['UNAUTHENTICATED']);
    expect(locked.body.errors![0]!.message).toContain('too many wrong passwords');
    const audit = (await t.gateway(`{ east { audit(limit: 20) { actorSubject action result detail } } }`, { token: admin })).body.data!.east.audit;
    expect(audit).toContainEqual({ actorSubject: 'duty@east', action: 'admin.signIn', result: 'DENIED', detail: 'locked after repeated wrong passwords' });
    expect(audit).toContainEqual({ actorSubject: 'nobody@east', action: 'admin.signIn', result: 'DENIED', detail: 'unknown username or wrong password' });
    expect(audit).toContainEqual({ actorSubject: 'admin@east', action: 'admin.signIn', result: 'OK', detail: null });
  });

  it('opens nothing else without a token, and only a system manages its administrators', async () => {
    expect(codes(await t.gateway('{ north { name } }'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await t.gateway('mutation { north { signIn(username: "a", password: "b") { token } removeGroup(groupId: "sip:x@north") } }'))).toEqual(['UNAUTHENTICATED']);
    const south = (await signIn('south', 'admin@south', 'south-admin-demo')).body.data!.south.signIn.token as string;
    expect(codes(await t.gateway(`mutation { north { setAdministrator(username: "mine@north", password: "a long enough password") } }`, { token: south }))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gateway(`mutation { south { setAdministrator(username: "short@south", password: "short") } }`, { token: south }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gateway(`mutation { south { setAdministrator(username: "has space", password: "a long enough password") } }`, { token: south }))).toEqual(['BAD_USER_INPUT']);
  });

  it('limits sign-in attempts per client address, on top of the lockout per account', async () => {
    let limited: Awaited<ReturnType<typeof signIn>> | null = null;
    let attempts = 0;
    // This file has tried about a dozen sign-ins from 127.0.0.1 already; the limit is 30 a minute.
    while (limited === null && attempts < 40) {
      attempts++;
      const res = await signIn('north', `guess-${attempts}@north`, 'not the password');
      if (codes(res)[0] === 'RATE_LIMITED') limited = res;
      else expect(codes(res)).toEqual(['UNAUTHENTICATED']);
    }
    expect(limited).not.toBeNull();
    expect(attempts).toBeLessThan(31);
    expect(limited!.status).toBe(429);
    expect(limited!.body.errors![0]!.message).toMatch(/too many sign-in attempts from this address: try again in \d+ s/);
    // Callers with a token are not affected.
    const token = await t.token('north', 'admin');
    expect((await t.gateway('{ north { name } }', { token })).body.errors).toBeUndefined();
  });
});
