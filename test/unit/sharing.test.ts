import { describe, expect, it } from 'vitest';
import { decideFeedView, resolveAccess, type EffectiveAccess } from '../../domain/access.js';
import type { GroupRecord, McService, Principal, ScopeGrant, UserRecord } from '../../domain/model.js';
import {
  changeFor,
  feedStart,
  planApply,
  retryDelayMs,
  sharedGroup,
  sharedUser,
  type SharedGroup,
  type SharedUser, RETRY_BASE_MS, RETRY_MAX_MS } from '../../domain/sharing.js';
import { grant, agreement } from '../support/fixtures.js';

const OWNER = 'alpha';
const PARTNER = 'beta';
const NOW = new Date('2025-06-01T12:00:00Z');
const UPDATED = new Date('2025-05-30T08:15:00Z');

function admin(system: string): Principal {
  return { system, kind: 'admin', subject: 'ann' };
}

function partnerAccess(...grants: ScopeGrant[]): EffectiveAccess {
  return resolveAccess(OWNER, admin(PARTNER), agreement({ grantedToPartner: grants }), NOW);
}

function ownerAccess(): EffectiveAccess {
  return resolveAccess(OWNER, admin(OWNER), null, NOW);
}

function makeUser(id: string, organisationId: string, ids: Partial<Record<McService, string>>, overrides: Partial<UserRecord> = {}): UserRecord {
  const services = (['MCPTT', 'MCDATA', 'MCVIDEO'] as const).filter((s) => ids[s] !== undefined);
  return {
    id,
    displayName: `User ${id}`,
    organisationId,
    mcpttId: ids.MCPTT ?? null,
    mcdataId: ids.MCDATA ?? null,
    mcvideoId: ids.MCVIDEO ?? null,
    functionalAliases: [`alias-${id}@alpha.example`],
    enabledServices: [...services],
    securityDomain: 'alpha.example',
    phone: `+32 2 000 ${id}`,
    email: `${id}@alpha.example`,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    updatedAt: UPDATED,
    ...overrides,
  };
}

function makeGroup(groupId: string, organisationId: string | null, services: McService[], overrides: Partial<GroupRecord> = {}): GroupRecord {
  return {
    groupId,
    name: `Group ${groupId}`,
    homeSystem: OWNER,
    organisationId,
    services,
    memberLimit: 50,
    disabled: false,
    members: [
      { system: OWNER, mcServiceId: 'sip:a1@alpha.example' },
      { system: PARTNER, mcServiceId: 'sip:b1@beta.example' },
    ],
    createdAt: new Date('2025-01-01T00:00:00Z'),
    updatedAt: UPDATED,
    ...overrides,
  };
}

const POLICE = makeUser('p1', 'police', {
  MCPTT: 'sip:p1@alpha.example',
  MCDATA: 'sip:p1-data@alpha.example',
  MCVIDEO: 'sip:p1-video@alpha.example',
});
const FIRE = makeUser('f1', 'fire', { MCPTT: 'sip:f1@alpha.example', MCDATA: 'sip:f1-data@alpha.example' });

const G_POLICE = makeGroup('sip:g-police@alpha.example', 'police', ['MCPTT']);
const G_FIRE = makeGroup('sip:g-fire@alpha.example', 'fire', ['MCDATA'], { disabled: true, memberLimit: 7 });
const G_SHARED = makeGroup('sip:g-shared@alpha.example', null, ['MCPTT', 'MCDATA']);

describe('sharedUser', () => {
  it('the owner sees everything of a user', () => {
    expect(sharedUser(ownerAccess(), POLICE)).toEqual<SharedUser>({
      id: 'p1',
      displayName: 'User p1',
      organisationId: 'police',
      mcptt: 'sip:p1@alpha.example',
      mcdata: 'sip:p1-data@alpha.example',
      mcvideo: 'sip:p1-video@alpha.example',
      functionalAliases: ['alias-p1@alpha.example'],
      enabledServices: ['MCPTT', 'MCDATA', 'MCVIDEO'],
      securityDomain: 'alpha.example',
      phone: '+32 2 000 p1',
      email: 'p1@alpha.example',
      updatedAt: UPDATED.toISOString(),
    });
  });

  it('a partner without any agreement sees no user (null)', () => {
    const access = resolveAccess(OWNER, admin(PARTNER), null, NOW);
    expect(sharedUser(access, POLICE)).toBeNull();
    expect(sharedUser(access, FIRE)).toBeNull();
  });

  it('a partner without DIRECTORY_READ sees no user, even with CONTACT_READ', () => {
    const access = partnerAccess(grant('CONTACT_READ'));
    expect(sharedUser(access, POLICE)).toBeNull();
  });

  it('a suspended agreement shows nothing', () => {
    const access = resolveAccess(
      OWNER,
      admin(PARTNER),
      agreement({ status: 'SUSPENDED', grantedToPartner: [grant('DIRECTORY_READ'), grant('CONTACT_READ')] }),
      NOW,
    );
    expect(sharedUser(access, POLICE)).toBeNull();
  });

  it('a user outside the DIRECTORY_READ organisations is invisible (null)', () => {
    const access = partnerAccess(grant('DIRECTORY_READ', { organisations: ['fire'] }));
    expect(sharedUser(access, POLICE)).toBeNull();
    expect(sharedUser(access, FIRE)).not.toBeNull();
  });

  it('a user holding none of the granted services is invisible (null)', () => {
    const access = partnerAccess(grant('DIRECTORY_READ', { services: ['MCVIDEO'] }));
    expect(sharedUser(access, FIRE)).toBeNull();
    expect(sharedUser(access, POLICE)).not.toBeNull();
  });

  it('an unrestricted DIRECTORY_READ shows every MC service ID but no contact without CONTACT_READ', () => {
    const view = sharedUser(partnerAccess(grant('DIRECTORY_READ')), POLICE);
    expect(view).not.toBeNull();
    expect(view!.mcptt).toBe('sip:p1@alpha.example');
    expect(view!.mcdata).toBe('sip:p1-data@alpha.example');
    expect(view!.mcvideo).toBe('sip:p1-video@alpha.example');
    expect(view!.enabledServices).toEqual(['MCPTT', 'MCDATA', 'MCVIDEO']);
    expect(view!.phone).toBeNull();
    expect(view!.email).toBeNull();
  });

  it('MC service IDs and enabledServices are restricted to the granted services', () => {
    const view = sharedUser(partnerAccess(grant('DIRECTORY_READ', { services: ['MCPTT', 'MCVIDEO'] })), POLICE);
    expect(view).not.toBeNull();
    expect(view!.mcptt).toBe('sip:p1@alpha.example');
    expect(view!.mcdata).toBeNull();
    expect(view!.mcvideo).toBe('sip:p1-video@alpha.example');
    expect(view!.enabledServices).toEqual(['MCPTT', 'MCVIDEO']);
  });

  it('an enabled service the partner may not see is dropped, and IDs are not invented', () => {
    const view = sharedUser(partnerAccess(grant('DIRECTORY_READ', { services: ['MCDATA', 'MCVIDEO'] })), FIRE);
    expect(view).not.toBeNull();
    expect(view!.mcptt).toBeNull();
    expect(view!.mcdata).toBe('sip:f1-data@alpha.example');
    expect(view!.mcvideo).toBeNull();
    expect(view!.enabledServices).toEqual(['MCDATA']);
  });

  it('an enabled service is shown only when its ID is visible (service disabled for the user stays hidden)', () => {
    const partlyEnabled = { ...POLICE, enabledServices: ['MCDATA'] as McService[] };
    const view = sharedUser(partnerAccess(grant('DIRECTORY_READ')), partlyEnabled);
    expect(view!.enabledServices).toEqual(['MCDATA']);
    // the IDs themselves are still shared
    expect(view!.mcptt).toBe('sip:p1@alpha.example');
  });

  it('phone and email are shared only with CONTACT_READ covering the user', () => {
    const access = partnerAccess(grant('DIRECTORY_READ'), grant('CONTACT_READ', { organisations: ['fire'] }));
    const fire = sharedUser(access, FIRE);
    const police = sharedUser(access, POLICE);
    expect(fire!.phone).toBe('+32 2 000 f1');
    expect(fire!.email).toBe('f1@alpha.example');
    expect(police).not.toBeNull();
    expect(police!.phone).toBeNull();
    expect(police!.email).toBeNull();
  });

  it('CONTACT_READ restricted to a service covers only users holding it', () => {
    const access = partnerAccess(grant('DIRECTORY_READ'), grant('CONTACT_READ', { services: ['MCVIDEO'] }));
    expect(sharedUser(access, POLICE)!.email).toBe('p1@alpha.example');
    expect(sharedUser(access, FIRE)!.email).toBeNull();
  });

  it('the non-restricted fields are copied and updatedAt is an ISO string', () => {
    const view = sharedUser(partnerAccess(grant('DIRECTORY_READ', { services: ['MCPTT'] })), FIRE);
    expect(view).toMatchObject({
      id: 'f1',
      displayName: 'User f1',
      organisationId: 'fire',
      functionalAliases: ['alias-f1@alpha.example'],
      securityDomain: 'alpha.example',
      updatedAt: '2025-05-30T08:15:00.000Z',
    });
  });
});

describe('sharedGroup', () => {
  it('the owner sees everything of a group', () => {
    expect(sharedGroup(ownerAccess(), G_FIRE)).toEqual<SharedGroup>({
      groupId: G_FIRE.groupId,
      name: G_FIRE.name,
      homeSystem: OWNER,
      organisationId: 'fire',
      services: ['MCDATA'],
      members: G_FIRE.members,
      memberLimit: 7,
      disabled: true,
      updatedAt: UPDATED.toISOString(),
    });
  });

  it('invisible groups give null', () => {
    expect(sharedGroup(resolveAccess(OWNER, admin(PARTNER), null, NOW), G_POLICE)).toBeNull();
    expect(sharedGroup(partnerAccess(grant('GROUP_CONFIG_READ')), G_POLICE)).toBeNull();
    const onlyFire = partnerAccess(grant('DIRECTORY_READ', { groups: [G_FIRE.groupId] }));
    expect(sharedGroup(onlyFire, G_POLICE)).toBeNull();
    expect(sharedGroup(onlyFire, G_FIRE)).not.toBeNull();
    const byOrg = partnerAccess(grant('DIRECTORY_READ', { organisations: ['police'] }));
    expect(sharedGroup(byOrg, G_SHARED)).toBeNull();
  });

  it('without GROUP_CONFIG_READ members, memberLimit and disabled are null', () => {
    const view = sharedGroup(partnerAccess(grant('DIRECTORY_READ')), G_FIRE);
    expect(view).toEqual<SharedGroup>({
      groupId: G_FIRE.groupId,
      name: G_FIRE.name,
      homeSystem: OWNER,
      organisationId: 'fire',
      services: ['MCDATA'],
      members: null,
      memberLimit: null,
      disabled: null,
      updatedAt: UPDATED.toISOString(),
    });
  });

  it('GROUP_CONFIG_READ covering the group shows members, memberLimit and disabled', () => {
    const access = partnerAccess(grant('DIRECTORY_READ'), grant('GROUP_CONFIG_READ', { groups: [G_FIRE.groupId] }));
    const fire = sharedGroup(access, G_FIRE);
    expect(fire!.members).toEqual(G_FIRE.members);
    expect(fire!.memberLimit).toBe(7);
    expect(fire!.disabled).toBe(true);
    const police = sharedGroup(access, G_POLICE);
    expect(police).not.toBeNull();
    expect(police!.members).toBeNull();
    expect(police!.memberLimit).toBeNull();
    expect(police!.disabled).toBeNull();
  });

  it('disabled: false is shared as false (not null) when configuration is readable', () => {
    const view = sharedGroup(partnerAccess(grant('DIRECTORY_READ'), grant('GROUP_CONFIG_READ')), G_POLICE);
    expect(view!.disabled).toBe(false);
    expect(view!.memberLimit).toBe(50);
  });

  it('GROUP_CONFIG_READ restricted by organisation does not cover a group without organisation', () => {
    const access = partnerAccess(grant('DIRECTORY_READ'), grant('GROUP_CONFIG_READ', { organisations: ['police'] }));
    expect(sharedGroup(access, G_POLICE)!.members).toEqual(G_POLICE.members);
    const shared = sharedGroup(access, G_SHARED);
    expect(shared).not.toBeNull();
    expect(shared!.members).toBeNull();
  });
});

describe('changeFor', () => {
  const userView = (access: EffectiveAccess) => (u: UserRecord) => sharedUser(access, u);
  const policeOnly = partnerAccess(grant('DIRECTORY_READ', { organisations: ['police'] }));

  it('upsert with the partner view when the object is visible after the change', () => {
    const after = { ...POLICE, displayName: 'Renamed' };
    const change = changeFor('user', POLICE.id, POLICE, after, userView(policeOnly));
    expect(change).toEqual({ entity: 'user', entityId: 'p1', op: 'upsert', payload: sharedUser(policeOnly, after) });
    expect((change!.payload as SharedUser).displayName).toBe('Renamed');
  });

  it('upsert when an object becomes visible (it moved into a visible organisation)', () => {
    const moved = { ...FIRE, organisationId: 'police' };
    const change = changeFor('user', FIRE.id, FIRE, moved, userView(policeOnly));
    expect(change?.op).toBe('upsert');
    expect((change!.payload as SharedUser).organisationId).toBe('police');
  });

  it('creation (before null) of a visible object is an upsert', () => {
    const change = changeFor('user', POLICE.id, null, POLICE, userView(policeOnly));
    expect(change).toEqual({ entity: 'user', entityId: 'p1', op: 'upsert', payload: sharedUser(policeOnly, POLICE) });
  });

  it('delete when visible before but not after (it moved out of the partner view)', () => {
    const moved = { ...POLICE, organisationId: 'fire' };
    expect(changeFor('user', POLICE.id, POLICE, moved, userView(policeOnly))).toEqual({
      entity: 'user',
      entityId: 'p1',
      op: 'delete',
      payload: null,
    });
  });

  it('removal (after null) of a visible object is a delete', () => {
    expect(changeFor('user', POLICE.id, POLICE, null, userView(policeOnly))).toEqual({
      entity: 'user',
      entityId: 'p1',
      op: 'delete',
      payload: null,
    });
  });

  it('null when the object was never visible to the partner', () => {
    const view = userView(policeOnly);
    expect(changeFor('user', FIRE.id, FIRE, { ...FIRE, displayName: 'x' }, view)).toBeNull();
    expect(changeFor('user', FIRE.id, null, FIRE, view)).toBeNull();
    expect(changeFor('user', FIRE.id, FIRE, null, view)).toBeNull();
    expect(changeFor('user', FIRE.id, null, null, view)).toBeNull();
  });

  it('works for groups with the group view', () => {
    const access = partnerAccess(grant('DIRECTORY_READ', { services: ['MCPTT'] }));
    const view = (g: GroupRecord) => sharedGroup(access, g);
    expect(changeFor('group', G_POLICE.groupId, null, G_POLICE, view)).toEqual({
      entity: 'group',
      entityId: G_POLICE.groupId,
      op: 'upsert',
      payload: sharedGroup(access, G_POLICE),
    });
    // loses its only visible service: leaves the partner view
    const dataOnly = { ...G_POLICE, services: ['MCDATA'] as McService[] };
    expect(changeFor('group', G_POLICE.groupId, G_POLICE, dataOnly, view)).toEqual({
      entity: 'group',
      entityId: G_POLICE.groupId,
      op: 'delete',
      payload: null,
    });
    expect(changeFor('group', G_FIRE.groupId, G_FIRE, null, view)).toBeNull();
  });

  it('the view is not called for a missing side', () => {
    const seen: Array<UserRecord> = [];
    const view = (u: UserRecord) => {
      seen.push(u);
      return sharedUser(ownerAccess(), u);
    };
    changeFor('user', POLICE.id, null, POLICE, view);
    expect(seen).toEqual([POLICE]);
  });
});

describe('planApply', () => {
  it('a batch ending at or before the applied entry is a duplicate', () => {
    expect(planApply(10, 5, 10)).toEqual({ kind: 'duplicate' });
    expect(planApply(10, 5, 8)).toEqual({ kind: 'duplicate' });
    expect(planApply(10, 10, 10)).toEqual({ kind: 'duplicate' });
    expect(planApply(10, 0, 3)).toEqual({ kind: 'duplicate' });
  });

  it('a batch starting after an entry the partner does not have is a gap; resume after the applied entry', () => {
    expect(planApply(10, 11, 15)).toEqual({ kind: 'gap', resumeAfter: 10 });
    expect(planApply(10, 20, 30)).toEqual({ kind: 'gap', resumeAfter: 10 });
    expect(planApply(0, 1, 2)).toEqual({ kind: 'gap', resumeAfter: 0 });
  });

  it('a contiguous batch (starting right after the applied entry) is applied, skipping nothing new', () => {
    expect(planApply(10, 10, 15)).toEqual({ kind: 'apply', skipThrough: 10 });
    expect(planApply(0, 0, 1)).toEqual({ kind: 'apply', skipThrough: 0 });
  });

  it('an overlapping batch is applied, skipping entries up to the applied one', () => {
    expect(planApply(10, 5, 15)).toEqual({ kind: 'apply', skipThrough: 10 });
    expect(planApply(10, 0, 11)).toEqual({ kind: 'apply', skipThrough: 10 });
  });

  it('per-partner sequence numbers need not be contiguous: applied 10, batch after 10 with entries 12 and 15 applies', () => {
    expect(planApply(10, 10, 15)).toEqual({ kind: 'apply', skipThrough: 10 });
    const entries = [12, 15];
    const plan = planApply(10, 10, entries[entries.length - 1]!);
    expect(plan.kind).toBe('apply');
    if (plan.kind === 'apply') expect(entries.filter((seq) => seq > plan.skipThrough)).toEqual([12, 15]);
  });

  it('a redelivered batch after it was applied is a duplicate (exactly-once application)', () => {
    let applied = 10;
    const first = planApply(applied, 10, 15);
    expect(first.kind).toBe('apply');
    applied = 15;
    expect(planApply(applied, 10, 15)).toEqual({ kind: 'duplicate' });
  });

  it('an empty batch at the partner cursor is a duplicate; an empty batch beyond it is a gap', () => {
    expect(planApply(10, 10, 10)).toEqual({ kind: 'duplicate' });
    expect(planApply(10, 12, 12)).toEqual({ kind: 'gap', resumeAfter: 10 });
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially with attempts (doubling for a given random) below the cap', () => {
    for (const random of [0, 0.25, 0.5, 0.999]) {
      const delays = [0, 1, 2].map((attempts) => retryDelayMs(attempts, random));
      for (let i = 1; i < delays.length; i++) {
        expect(delays[i]! / delays[i - 1]!).toBeCloseTo(2, 1);
      }
    }
    expect(retryDelayMs(0, 0.5)).toBe(200);
    expect(retryDelayMs(1, 0.5)).toBe(400);
    expect(retryDelayMs(2, 0.5)).toBe(800);
    expect(retryDelayMs(3, 0.5)).toBe(Math.min(1600, RETRY_MAX_MS));
    expect(retryDelayMs(1, 0.5, 200, 10_000)).toBe(400);
    expect(retryDelayMs(5, 0.5, 200, 10_000)).toBe(6400);
  });

  it('honours base and max', () => {
    expect(retryDelayMs(0, 0.5, 100, 1000)).toBe(100);
    expect(retryDelayMs(3, 0.5, 100, 1000)).toBe(800);
    expect(retryDelayMs(4, 0.5, 100, 1000)).toBe(1000);
  });

  it('is capped at maxMs * 1.5 by the jitter, however many attempts', () => {
    for (const attempts of [5, 6, 10, 20, 21, 50, 1000]) {
      for (const random of [0, 0.3, 0.9999999]) {
        expect(retryDelayMs(attempts, random)).toBeLessThanOrEqual(RETRY_MAX_MS * 1.5);
      }
      expect(retryDelayMs(attempts, 0.5)).toBe(RETRY_MAX_MS);
      expect(Number.isFinite(retryDelayMs(attempts, 0.9999999))).toBe(true);
    }
    expect(retryDelayMs(100, 0.9999999, 200, 2_000)).toBeLessThanOrEqual(3_000);
  });

  it('is at least half the exponential value and below 1.5 times it', () => {
    for (let attempts = 0; attempts < 10; attempts++) {
      const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempts);
      for (const random of [0, 0.1, 0.5, 0.9, 0.9999]) {
        const delay = retryDelayMs(attempts, random);
        expect(delay).toBeGreaterThanOrEqual(exponential / 2);
        expect(delay).toBeLessThanOrEqual(exponential * 1.5);
      }
      expect(retryDelayMs(attempts, 0)).toBe(exponential / 2);
    }
  });

  it('is deterministic for a given random and increases with it', () => {
    expect(retryDelayMs(3, 0.42)).toBe(retryDelayMs(3, 0.42));
    expect(retryDelayMs(3, 0.1)).toBeLessThan(retryDelayMs(3, 0.9));
    expect(Number.isInteger(retryDelayMs(3, 0.123456))).toBe(true);
  });
});

describe('following a feed (pull and subscriptions)', () => {
  it('a partner follows its own feed while the agreement is active', () => {
    expect(decideFeedView(partnerAccess(grant('DIRECTORY_READ')), PARTNER)).toEqual({ allowed: true });
  });

  it("a partner may not follow another partner's feed", () => {
    const decision = decideFeedView(partnerAccess(grant('DIRECTORY_READ')), 'gamma');
    expect(decision).toMatchObject({ allowed: false, code: 'FORBIDDEN_PARTNER_VIEW' });
  });

  it.each(['PROPOSED', 'SUSPENDED', 'TERMINATED'] as const)('nothing is followed under a %s agreement', (status) => {
    const access = resolveAccess(OWNER, admin(PARTNER), agreement({ status, grantedToPartner: [grant('DIRECTORY_READ')] }), NOW);
    const decision = decideFeedView(access, PARTNER);
    expect(decision).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
    if (!decision.allowed) expect(decision.reason).toContain(status);
  });

  it('nothing is followed without an agreement', () => {
    const access = resolveAccess(OWNER, admin(PARTNER), null, NOW);
    expect(decideFeedView(access, PARTNER)).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
  });

  it("the owner's callers follow any partner's feed", () => {
    expect(decideFeedView(ownerAccess(), 'gamma')).toEqual({ allowed: true });
  });

  it('a partner resumes where it was when no reset came since', () => {
    expect(feedStart(partnerAccess(), 40, 12)).toBe(40);
    expect(feedStart(partnerAccess(), 12, 12)).toBe(12);
    expect(feedStart(partnerAccess(), 40, null)).toBe(40);
  });

  it('a partner that was before the latest reset starts at the reset: nothing written under older grants', () => {
    expect(feedStart(partnerAccess(), 0, 12)).toBe(11);
    expect(feedStart(partnerAccess(), 11, 12)).toBe(11);
  });

  it('the owner reads its whole history', () => {
    expect(feedStart(ownerAccess(), 0, 12)).toBe(0);
  });
});
