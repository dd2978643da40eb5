import { describe, expect, it } from 'vitest';
import { ErrorCode, McxError } from '../../domain/errors.js';
import { MAX_MEMBERS_PER_CHANGE, membersToAdd, membersToRemove } from '../../domain/groups.js';
import type { GroupRecord, MemberRef } from '../../domain/model.js';

type GroupState = Pick<GroupRecord, 'groupId' | 'disabled' | 'memberLimit' | 'members'>;

function m(system: string, name: string): MemberRef {
  return { system, mcServiceId: `sip:${name}@${system}.example` };
}

function groupWith(members: MemberRef[], overrides: Partial<GroupState> = {}): GroupState {
  return { groupId: 'sip:g1@alpha.example', disabled: false, memberLimit: 10, members, ...overrides };
}

function catchError(fn: () => unknown): McxError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(McxError);
    return error as McxError;
  }
  throw new Error('expected the call to throw');
}

const A1 = m('alpha', 'a1');
const A2 = m('alpha', 'a2');
const B1 = m('beta', 'b1');
const B2 = m('beta', 'b2');

describe('membersToAdd', () => {
  it('returns the requested members when none are present', () => {
    expect(membersToAdd(groupWith([]), [A1, B1])).toEqual([A1, B1]);
  });

  it('ignores members already in the group', () => {
    expect(membersToAdd(groupWith([A1, B1]), [A1, A2, B1, B2])).toEqual([A2, B2]);
  });

  it('returns an empty list when every requested member is present already', () => {
    expect(membersToAdd(groupWith([A1, B1]), [B1, A1])).toEqual([]);
  });

  it('removes duplicates within the request (by system and MC service ID)', () => {
    const result = membersToAdd(groupWith([]), [A1, { ...A1 }, B1, { system: 'beta', mcServiceId: B1.mcServiceId }]);
    expect(result).toEqual([A1, B1]);
  });

  it('treats the same MC service ID in different systems as different members', () => {
    const x = { system: 'alpha', mcServiceId: 'sip:shared@example.org' };
    const y = { system: 'beta', mcServiceId: 'sip:shared@example.org' };
    expect(membersToAdd(groupWith([x]), [x, y])).toEqual([y]);
  });

  it('keys are not confused by concatenation of system and ID', () => {
    const x = { system: 'ab', mcServiceId: 'c' };
    const y = { system: 'a', mcServiceId: 'bc' };
    expect(membersToAdd(groupWith([x]), [y])).toEqual([y]);
  });

  it('may fill the group exactly to its member limit', () => {
    const group = groupWith([A1, A2], { memberLimit: 4 });
    expect(membersToAdd(group, [B1, B2])).toEqual([B1, B2]);
  });

  it('refuses to go beyond the member limit with MEMBER_LIMIT_REACHED and details', () => {
    const group = groupWith([A1, A2], { memberLimit: 3 });
    const error = catchError(() => membersToAdd(group, [B1, B2]));
    expect(error.code).toBe(ErrorCode.MEMBER_LIMIT_REACHED);
    expect(error.details).toEqual({ memberLimit: 3, members: 2, adding: 2 });
    expect(error.message).toContain('sip:g1@alpha.example');
  });

  it('counts only genuinely new members against the limit (duplicates and present ones do not count)', () => {
    const group = groupWith([A1, A2], { memberLimit: 3 });
    expect(membersToAdd(group, [A1, A2, B1, { ...B1 }])).toEqual([B1]);
  });

  it('a group with memberLimit equal to its size accepts a request of present members only', () => {
    expect(membersToAdd(groupWith([A1, A2], { memberLimit: 2 }), [A1])).toEqual([]);
  });

  it('refuses a disabled group with GROUP_DISABLED', () => {
    const error = catchError(() => membersToAdd(groupWith([], { disabled: true }), [A1]));
    expect(error.code).toBe(ErrorCode.GROUP_DISABLED);
  });

  it('GROUP_DISABLED wins over an empty request', () => {
    expect(catchError(() => membersToAdd(groupWith([], { disabled: true }), [])).code).toBe(ErrorCode.GROUP_DISABLED);
  });

  it('refuses an empty request with BAD_USER_INPUT', () => {
    expect(catchError(() => membersToAdd(groupWith([]), [])).code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('accepts exactly MAX_MEMBERS_PER_CHANGE members and refuses one more with BAD_USER_INPUT', () => {
    expect(MAX_MEMBERS_PER_CHANGE).toBe(10_000);
    const many = Array.from({ length: MAX_MEMBERS_PER_CHANGE + 1 }, (_, i) => m('beta', `u${i}`));
    const group = groupWith([], { memberLimit: 20_000 });
    expect(membersToAdd(group, many.slice(0, MAX_MEMBERS_PER_CHANGE))).toHaveLength(MAX_MEMBERS_PER_CHANGE);
    const error = catchError(() => membersToAdd(group, many));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('the size limit applies to the request as given, duplicates included', () => {
    const same = Array.from({ length: MAX_MEMBERS_PER_CHANGE + 1 }, () => A1);
    expect(catchError(() => membersToAdd(groupWith([]), same)).code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('does not change the group passed in', () => {
    const group = groupWith([A1]);
    membersToAdd(group, [A2]);
    expect(group.members).toEqual([A1]);
  });
});

describe('membersToRemove', () => {
  it('returns the requested members that are in the group, in group order', () => {
    expect(membersToRemove(groupWith([A1, A2, B1]), [B1, A1])).toEqual([A1, B1]);
  });

  it('ignores requested members that are not in the group', () => {
    expect(membersToRemove(groupWith([A1]), [A2, B1])).toEqual([]);
    expect(membersToRemove(groupWith([A1, B1]), [B1, B2])).toEqual([B1]);
  });

  it('matches on system and MC service ID together', () => {
    const x = { system: 'alpha', mcServiceId: 'sip:shared@example.org' };
    const y = { system: 'beta', mcServiceId: 'sip:shared@example.org' };
    expect(membersToRemove(groupWith([x, y]), [y])).toEqual([y]);
  });

  it('duplicates in the request remove a member once', () => {
    expect(membersToRemove(groupWith([A1, A2]), [A1, A1, { ...A1 }])).toEqual([A1]);
  });

  it('refuses a disabled group with GROUP_DISABLED', () => {
    expect(catchError(() => membersToRemove(groupWith([A1], { disabled: true }), [A1])).code).toBe(ErrorCode.GROUP_DISABLED);
  });

  it('refuses an empty request and one larger than MAX_MEMBERS_PER_CHANGE with BAD_USER_INPUT', () => {
    expect(catchError(() => membersToRemove(groupWith([A1]), [])).code).toBe(ErrorCode.BAD_USER_INPUT);
    const many = Array.from({ length: MAX_MEMBERS_PER_CHANGE + 1 }, (_, i) => m('beta', `u${i}`));
    expect(catchError(() => membersToRemove(groupWith([A1]), many)).code).toBe(ErrorCode.BAD_USER_INPUT);
  });

  it('is not limited by the member limit', () => {
    expect(membersToRemove(groupWith([A1, A2, B1], { memberLimit: 1 }), [A1])).toEqual([A1]);
  });
});
