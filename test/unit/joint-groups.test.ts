/** The joint-group rules alone (domain/joint-groups.ts), and the group document (parse limits, no entities). */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../domain/errors.js';
import { acceptState, checkConfig, checkOwnMembers, checkParticipation, handledAutomatically, urgencyRank, type JointGroupState } from '../../domain/joint-groups.js';
import { groupDocument, MAX_DOCUMENT_BYTES, parseGroupDocument } from '../../subgraphs/src/services/group-document.js';

const state = (home: string, version: number): JointGroupState => ({
  config: { groupId: 'sip:g@north', name: 'G', homeSystem: home, services: ['MCPTT'], priority: 5, memberLimit: 3, disabled: false },
  members: [],
  participants: ['south'],
  status: 'ACTIVE',
  version,
});

describe('joint group rules', () => {
  it('orders urgencies most urgent first', () => {
    expect(['ROUTINE', 'EMERGENCY', 'URGENT'].sort((a, b) => urgencyRank(a as never) - urgencyRank(b as never))).toEqual(['EMERGENCY', 'URGENT', 'ROUTINE']);
  });

  it('checks the configuration the home sets', () => {
    expect(checkConfig({ services: ['MCPTT'], priority: 1, memberLimit: 2 }).ok).toBe(true);
    expect(checkConfig({ services: [], priority: 1, memberLimit: 2 })).toMatchObject({ ok: false, code: ErrorCode.BAD_USER_INPUT });
    expect(checkConfig({ services: ['MCPTT'], priority: 256, memberLimit: 2 })).toMatchObject({ ok: false, code: ErrorCode.BAD_USER_INPUT });
    expect(checkConfig({ services: ['MCPTT'], priority: 1.5, memberLimit: 2 })).toMatchObject({ ok: false });
  });

  it('lets a participant name only its own users', () => {
    expect(checkOwnMembers('south', [{ system: 'south', mcServiceId: 'a' }]).ok).toBe(true);
    const foreign = checkOwnMembers('south', [{ system: 'south', mcServiceId: 'a' }, { system: 'east', mcServiceId: 'b' }]);
    expect(foreign).toMatchObject({ ok: false, code: ErrorCode.FOREIGN_MEMBER });
    expect(!foreign.ok && foreign.reason).toContain('east:b');
    expect(checkOwnMembers('south', [])).toMatchObject({ ok: false, code: ErrorCode.BAD_USER_INPUT });
  });

  it('takes membership updates only for an active group from an accepted participant', () => {
    expect(checkParticipation('g', 'ACTIVE', 'ACCEPTED', 'south').ok).toBe(true);
    expect(checkParticipation('g', 'DISSOLVED', 'ACCEPTED', 'south')).toMatchObject({ code: ErrorCode.GROUP_DISSOLVED });
    expect(checkParticipation('g', null, null, 'south')).toMatchObject({ code: ErrorCode.NOT_FOUND });
    for (const status of ['OFFERED', 'DECLINED', 'SUSPENDED', 'REMOVED'] as const) expect(checkParticipation('g', 'ACTIVE', status, 'south')).toMatchObject({ code: ErrorCode.NOT_PARTICIPANT });
    expect(checkParticipation('g', 'ACTIVE', null, 'south')).toMatchObject({ code: ErrorCode.NOT_PARTICIPANT });
  });

  it('handles automatically what the policy says', () => {
    expect(handledAutomatically({ mode: 'automatic', automaticUrgencies: [] }, 'ROUTINE')).toBe(true);
    expect(handledAutomatically({ mode: 'manual', automaticUrgencies: ['EMERGENCY'] }, 'EMERGENCY')).toBe(true);
    expect(handledAutomatically({ mode: 'manual', automaticUrgencies: ['EMERGENCY'] }, 'URGENT')).toBe(false);
    expect(handledAutomatically({ mode: 'manual', automaticUrgencies: [] }, 'EMERGENCY')).toBe(false);
  });

  it('applies a state only from the home, and only a newer one', () => {
    expect(acceptState('north', null, state('north', 1))).toEqual({ ok: true, fresh: true });
    expect(acceptState('north', { homeSystem: 'north', version: 4 }, state('north', 3))).toEqual({ ok: true, fresh: false });
    expect(acceptState('north', { homeSystem: 'north', version: 4 }, state('north', 5))).toEqual({ ok: true, fresh: true });
    expect(acceptState('south', { homeSystem: 'north', version: 4 }, state('south', 9))).toMatchObject({ ok: false, code: ErrorCode.NOT_GROUP_HOME });
    expect(acceptState('south', null, state('north', 9))).toMatchObject({ ok: false, code: ErrorCode.NOT_GROUP_HOME });
  });
});

describe('group documents', () => {
  const config = { groupId: 'sip:g@mcptt.north.example', name: 'Fire & "rescue" <ops>', homeSystem: 'north', services: ['MCPTT', 'MCDATA'] as const, priority: 7, memberLimit: 20, disabled: true };
  const members = [
    { system: 'north', mcServiceId: 'sip:a@mcptt.north.example', securityDomain: 'https://kms.north.example' },
    { system: 'south', mcServiceId: 'sip:b@mcptt.south.example', securityDomain: null },
  ];

  it('reads back what it writes', () => {
    const parsed = parseGroupDocument(groupDocument({ ...config, services: [...config.services] }, members));
    expect(parsed).toEqual({
      groupId: config.groupId,
      name: config.name,
      homeSystem: 'north',
      services: ['MCPTT', 'MCDATA'],
      priority: 7,
      memberLimit: 20,
      disabled: true,
      members: [
        { system: 'north', mcServiceId: 'sip:a@mcptt.north.example', securityDomain: 'https://kms.north.example' },
        { system: 'south', mcServiceId: 'sip:b@mcptt.south.example', securityDomain: null },
      ],
    });
  });

  it('refuses DTDs and entities, so no external entity is ever read', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE group [<!ENTITY x SYSTEM "file:///etc/passwd">]><group><list-service uri="sip:x"><display-name>&x;</display-name><max-participant-count>1</max-participant-count></list-service></group>';
    expect(() => parseGroupDocument(xxe)).toThrow(/DTDs and entity declarations/);
    const laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><group/>';
    expect(() => parseGroupDocument(laughs)).toThrow(/DTDs/);
  });

  it('refuses oversized, malformed and incomplete documents', () => {
    expect(() => parseGroupDocument(`<group>${' '.repeat(MAX_DOCUMENT_BYTES)}</group>`)).toThrow(/larger than/);
    expect(() => parseGroupDocument('<group><list-service uri="sip:x">')).toThrow(/not a usable group document/);
    expect(() => parseGroupDocument('<group><list-service><display-name>x</display-name></list-service></group>')).toThrow(/uri/);
    expect(() => parseGroupDocument('<group><list-service uri="sip:x"><display-name>x</display-name></list-service></group>')).toThrow(/max-participant-count/);
    expect(() => parseGroupDocument('<group><list-service uri="sip:x"><display-name>x</display-name><max-participant-count>-1</max-participant-count></list-service></group>')).toThrow(/whole number/);
    expect(() => parseGroupDocument('<group><list-service uri="sip:x"><display-name>x</display-name><max-participant-count>1</max-participant-count><services><service>TETRA</service></services></list-service></group>')).toThrow(/unknown services/);
    const entries = Array.from({ length: 10_001 }, (_, i) => `<entry uri="sip:u${i}"/>`).join('');
    expect(() => parseGroupDocument(`<group><list-service uri="sip:x"><display-name>x</display-name><list>${entries}</list><max-participant-count>1</max-participant-count></list-service></group>`)).toThrow(/more than 10000 entries/);
  });
});
