/** The store on SQLite, and on PostgreSQL when DATABASE_URL is set: same migrations, same queries. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, McxError } from '../../domain/errors.js';
import { dropPostgresSchema, openDatabase, type OpenDatabase, type StoreConfig } from '../../subgraphs/src/store/database.js';
import { Store } from '../../subgraphs/src/store/store.js';
import { applySeedPlan } from '../../subgraphs/src/seed/seed-plan.js';
import { demoSeedPlan } from '../../subgraphs/src/seed/demo-seed.js';
import { AuditLog } from '../../subgraphs/src/services/audit-log.js';
import { STORES } from '../support/harness.js';

describe.each(STORES)('store on %s', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'mcx-store-'));
  const schema = `st_${randomBytes(4).toString('hex')}`;
  const config: StoreConfig = kind === 'sqlite' ? { kind, file: join(dir, 'north.sqlite') } : { kind, url: process.env.DATABASE_URL!, schema };
  let database: OpenDatabase;
  let store: Store;
  const principal = { system: 'north', kind: 'admin' as const, subject: 'admin@north' };

  beforeAll(async () => {
    database = await openDatabase(config);
    store = new Store(database.db);
    await applySeedPlan(store, 'north', 'north.example', demoSeedPlan('north')!);
  });

  afterAll(async () => {
    await database.close();
    if (kind === 'postgres') await dropPostgresSchema(process.env.DATABASE_URL!, schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the migrations once: opening again keeps the data', async () => {
    const again = await openDatabase(config);
    const users = await new Store(again.db).users.list({ organisations: null, search: null, limit: 500, offset: 0 });
    await again.close();
    expect(users.length).toBe(36);
  });

  it('lists users by organisation and name, with paging and search', async () => {
    const border = await store.users.list({ organisations: ['north-border'], search: null, limit: 5, offset: 0 });
    expect(border.length).toBe(5);
    expect(border.every((u) => u.organisationId === 'north-border')).toBe(true);
    const names = border.map((u) => u.displayName);
    expect([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(names);
    const next = await store.users.list({ organisations: ['north-border'], search: null, limit: 5, offset: 5 });
    expect(next.map((u) => u.id)).not.toContain(border[0]!.id);
    const found = await store.users.list({ organisations: null, search: 'ANNA', limit: 50, offset: 0 });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((u) => u.displayName.toLowerCase().includes('anna'))).toBe(true);
    expect(await store.users.list({ organisations: [], search: null, limit: 50, offset: 0 })).toEqual([]);
  });

  it('round-trips every user column, JSON lists and timestamps included', async () => {
    const user = (await store.users.findByServiceId('sip:anna.berg@mcptt.north.example'))!;
    expect(user.functionalAliases).toEqual(['sip:north-fire-commander@mcptt.north.example']);
    expect(user.enabledServices).toEqual(['MCPTT', 'MCDATA', 'MCVIDEO']);
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(await store.users.findByServiceId(user.mcdataId!)).toEqual(user);
    const held = await store.users.findByServiceIds([user.mcpttId!, 'sip:nobody@mcptt.north.example']);
    expect([...held.keys()]).toEqual([user.mcpttId]);
    expect(held.get(user.mcpttId!)).toEqual(user);
  });

  it('keeps group members and finds the groups of members', async () => {
    const groupId = 'sip:north-border-ops@mcptt.north.example';
    const group = (await store.groups.get(groupId))!;
    expect(group.members.length).toBe(12);
    const visitor = { system: 'south', mcServiceId: 'sip:anna.dahl@mcptt.south.example', securityDomain: 'https://kms.south.example' };
    await store.groups.addMembers(groupId, [visitor], new Date());
    expect((await store.groups.get(groupId))!.members).toContainEqual(visitor);
    const byMember = await store.groups.groupsOfMembers('south', [visitor.mcServiceId]);
    expect(byMember.get(visitor.mcServiceId)!.map((g) => g.groupId)).toEqual([groupId]);
    await store.groups.removeMembers(groupId, [visitor]);
    expect((await store.groups.get(groupId))!.members).not.toContainEqual(visitor);
  });

  it('refuses a second user with the same MC service ID', async () => {
    const user = (await store.users.findByServiceId('sip:anna.berg@mcptt.north.example'))!;
    await expect(store.users.insert({ ...user, id: 'north-dup' })).rejects.toThrow();
  });

  it('stores a change and its audit entry together, or neither', async () => {
    const audit = new AuditLog(store);
    const before = await store.users.get('north-u0001');
    await expect(
      audit.audited(principal, 'user.delete', 'user:north-u0001', async (trx) => {
        await trx.users.delete('north-u0001');
        throw new McxError(ErrorCode.CONFLICT, 'changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.users.get('north-u0001')).toEqual(before);
    const [last] = await store.audit.list({ actorSystem: null, result: null, beforeId: null, limit: 1 });
    expect(last).toMatchObject({ action: 'user.delete', result: 'FAILED', code: 'CONFLICT', actorSubject: 'admin@north' });

    await audit.audited(principal, 'group.touch', 'group:x', async (trx) => trx.groups.touch('sip:north-fire-ops@mcptt.north.example', new Date()));
    const [ok] = await store.audit.list({ actorSystem: 'north', result: 'OK', beforeId: null, limit: 1 });
    expect(ok).toMatchObject({ action: 'group.touch', result: 'OK' });
    const older = await store.audit.list({ actorSystem: null, result: null, beforeId: ok!.id, limit: 10 });
    expect(older.every((entry) => entry.id < ok!.id)).toBe(true);
  });

  it('keeps agreements with their grants', async () => {
    const south = (await store.agreements.get('south'))!;
    expect(south.status).toBe('ACTIVE');
    expect(south.grantedToPartner.map((g) => g.scope)).toEqual(['DIRECTORY_READ', 'GROUP_CONFIG_READ', 'MEMBERSHIP_UPDATE']);
    await store.agreements.update({ ...south, status: 'SUSPENDED', updatedAt: new Date() });
    expect((await store.agreements.get('south'))!.status).toBe('SUSPENDED');
    expect((await store.agreements.list()).map((a) => a.partner)).toEqual(['east', 'south']);
  });
});
