import { describe, expect, it } from 'vitest';
import { resolveAccess } from '../../domain/access.js';
import type { Principal } from '../../domain/model.js';
import {
  assessMigration,
  assessToggle,
  checkToggleShape,
  decidePerson,
  enabledAfterToggle,
  automaticDecision,
  checkMigrationShape,
  DEFAULT_POLICY,
  manualDecision,
  MAX_REQUEST_USERS,
  type MigrationBody,
  type RequestPolicy,
} from '../../domain/requests.js';
import { agreement, grant } from '../support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const partner: Principal = { system: 'beta', kind: 'admin', subject: 'bo' };
const access = (grants = [grant('MIGRATION_REQUEST', { organisations: ['beta-fire'], services: ['MCPTT', 'MCDATA'] })], status: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE') =>
  resolveAccess('alpha', partner, agreement({ status, grantedToPartner: grants }), NOW);
const user = (userId: string, organisationId = 'beta-fire') => ({ userId, displayName: userId, organisationId, mcServiceId: `sip:${userId}@beta`, securityDomain: 'https://kms.beta' });
const body = (overrides: Partial<MigrationBody> = {}): MigrationBody => ({
  users: [user('u1'), user('u2')],
  services: ['MCPTT'],
  validFrom: '2025-06-01T12:00:00Z',
  validUntil: '2025-06-08T12:00:00Z',
  ...overrides,
});
const policy = (overrides: Partial<RequestPolicy> = {}): RequestPolicy => ({ ...DEFAULT_POLICY, mode: 'automatic', ...overrides });

describe('what a migration request may carry', () => {
  it('accepts a plain request', () => expect(checkMigrationShape(body(), NOW)).toEqual({ ok: true }));
  it.each([
    ['no users', body({ users: [] })],
    ['duplicates', body({ users: [user('u1'), user('u1')] })],
    ['too many users', body({ users: Array.from({ length: MAX_REQUEST_USERS + 1 }, (_, i) => user(`u${i}`)) })],
    ['no services', body({ services: [] })],
    ['an unknown service', body({ services: ['TETRA' as never] })],
    ['an inverted period', body({ validFrom: '2025-06-09T00:00:00Z' })],
    ['a period that has ended', body({ validFrom: '2025-05-01T00:00:00Z', validUntil: '2025-05-02T00:00:00Z' })],
  ])('refuses %s', (_name, b) => expect(checkMigrationShape(b, NOW)).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' }));
  it('takes exactly the largest request', () => {
    expect(checkMigrationShape(body({ users: Array.from({ length: MAX_REQUEST_USERS }, (_, i) => user(`u${i}`)) }), NOW)).toEqual({ ok: true });
  });
});

describe('assessing a migration request', () => {
  it('needs an active agreement that grants MIGRATION_REQUEST', () => {
    expect(assessMigration(access([grant('DIRECTORY_READ')]), policy(), body(), NOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(assessMigration(access(undefined, 'SUSPENDED'), policy(), body(), NOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('refuses services not granted, and periods beyond the policy, whole', () => {
    expect(assessMigration(access(), policy(), body({ services: ['MCVIDEO'] }), NOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(assessMigration(access(), policy({ services: ['MCDATA'] }), body(), NOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(assessMigration(access(), policy({ maxDays: 3 }), body(), NOW)).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
    expect(assessMigration(access(), policy({ maxUsers: 1 }), body(), NOW)).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
  });

  it('says per user which ones the agreement or the policy does not cover', () => {
    const assessment = assessMigration(access(), policy({ organisations: ['beta-fire'] }), body({ users: [user('u1'), user('u2', 'beta-police')] }), NOW);
    expect(assessment).toMatchObject({ ok: true, approvable: [{ userId: 'u1' }], refused: [{ userId: 'u2', code: 'FORBIDDEN' }] });
  });
});

describe('deciding', () => {
  const mixed = () => assessMigration(access(), policy(), body({ users: [user('u1'), user('u2'), user('u3', 'beta-police')] }), NOW);

  it('automatically: all valid is approved; a partly valid list is refused whole unless the policy approves part', () => {
    expect(automaticDecision(assessMigration(access(), policy(), body(), NOW), policy())).toMatchObject({ status: 'APPROVED', refused: [] });
    expect(automaticDecision(mixed(), policy())).toMatchObject({ status: 'REJECTED', approved: [], refused: [{ userId: 'u3' }] });
    expect(automaticDecision(mixed(), policy({ approvePart: true }))).toMatchObject({ status: 'PARTLY_APPROVED', approved: [{ userId: 'u1' }, { userId: 'u2' }] });
  });

  it('by a person: approve, approve part of the approvable users, or reject with a reason', () => {
    expect(manualDecision(mixed(), { kind: 'APPROVE', userIds: null, reason: null })).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
    expect(manualDecision(mixed(), { kind: 'APPROVE_PART', userIds: ['u3'], reason: null })).toMatchObject({ ok: false });
    expect(manualDecision(mixed(), { kind: 'APPROVE_PART', userIds: [], reason: null })).toMatchObject({ ok: false });
    const part = manualDecision(mixed(), { kind: 'APPROVE_PART', userIds: ['u1'], reason: 'one team' });
    expect(part).toMatchObject({ ok: true, status: 'PARTLY_APPROVED', approved: [{ userId: 'u1' }] });
    if (part.ok) expect(part.refused.map((r) => r.userId).sort()).toEqual(['u2', 'u3']);
    expect(manualDecision(mixed(), { kind: 'REJECT', userIds: null, reason: null })).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
    expect(manualDecision(mixed(), { kind: 'REJECT', userIds: null, reason: 'no capacity' })).toMatchObject({ ok: true, status: 'REJECTED' });
  });

  it('nothing can be approved when the request itself cannot', () => {
    const refused = assessMigration(access(undefined, 'SUSPENDED'), policy(), body(), NOW);
    expect(manualDecision(refused, { kind: 'APPROVE', userIds: null, reason: null })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(manualDecision(refused, { kind: 'REJECT', userIds: null, reason: 'suspended' })).toMatchObject({ ok: true, status: 'REJECTED' });
  });
});

describe("visitors' services", () => {
  it('enables only services the visitor is authorised for', () => {
    expect(enabledAfterToggle(['MCPTT', 'MCDATA'], ['MCPTT', 'MCVIDEO'])).toEqual(['MCPTT']);
    expect(enabledAfterToggle(['MCPTT'], [])).toEqual([]);
  });

  it('a partner asks only under an active agreement granting VISITOR_SERVICES_TOGGLE, naming users or an organisation', () => {
    const toggle = { userIds: ['u1'], organisationId: null, enabled: ['MCPTT' as const], at: null };
    expect(assessToggle(access([grant('VISITOR_SERVICES_TOGGLE')]), toggle, NOW)).toEqual({ ok: true });
    expect(assessToggle(access([grant('MIGRATION_REQUEST')]), toggle, NOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(assessToggle(access([grant('VISITOR_SERVICES_TOGGLE')], 'SUSPENDED'), toggle, NOW)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(checkToggleShape({ ...toggle, organisationId: 'beta-fire' }, NOW)).toMatchObject({ ok: false, code: 'BAD_USER_INPUT' });
    expect(checkToggleShape({ ...toggle, userIds: [] }, NOW)).toMatchObject({ ok: false });
    expect(checkToggleShape({ ...toggle, at: '2025-05-01T00:00:00Z' }, NOW)).toMatchObject({ ok: false });
    expect(checkToggleShape({ ...toggle, at: '2025-06-02T00:00:00Z' }, NOW)).toEqual({ ok: true });
  });
});

describe('who may send and decide', () => {
  it('everyone of the system when the policy names nobody in particular, else only those named', () => {
    const ann = { kind: 'admin', subject: 'ann' };
    expect(decidePerson(null, ann, 'decide')).toEqual({ ok: true });
    expect(decidePerson(['ann', 'bob'], ann, 'decide')).toEqual({ ok: true });
    expect(decidePerson(['bob'], ann, 'decide')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(decidePerson([], ann, 'decide')).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});
