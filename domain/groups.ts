/** Rules for changing a group's member list, the same for local and partner-driven changes. */
import { ErrorCode, McxError } from './errors.js';
import type { GroupRecord, MemberRef } from './model.js';

export const MAX_MEMBERS_PER_CHANGE = 10_000;

function key(member: MemberRef): string {
  return `${member.system}\u0000${member.mcServiceId}`;
}

/** Members to insert: those not in the group yet. Refuses a disabled group and a full one. */
export function membersToAdd(group: Pick<GroupRecord, 'groupId' | 'disabled' | 'memberLimit' | 'members'>, requested: MemberRef[]): MemberRef[] {
  if (group.disabled) {
    throw new McxError(ErrorCode.GROUP_DISABLED, `group ${group.groupId} is disabled; its members cannot change`);
  }
  checkChangeSize(requested);
  const present = new Set(group.members.map(key));
  const fresh = new Map<string, MemberRef>();
  for (const member of requested) {
    if (!present.has(key(member))) fresh.set(key(member), member);
  }
  const total = group.members.length + fresh.size;
  if (total > group.memberLimit) {
    throw new McxError(
      ErrorCode.MEMBER_LIMIT_REACHED,
      `group ${group.groupId} allows ${group.memberLimit} members; adding ${fresh.size} to ${group.members.length} would make ${total}`,
      { memberLimit: group.memberLimit, members: group.members.length, adding: fresh.size },
    );
  }
  return [...fresh.values()];
}

/** Members to delete: those that are in the group. Refuses a disabled group. */
export function membersToRemove(group: Pick<GroupRecord, 'groupId' | 'disabled' | 'members'>, requested: MemberRef[]): MemberRef[] {
  if (group.disabled) {
    throw new McxError(ErrorCode.GROUP_DISABLED, `group ${group.groupId} is disabled; its members cannot change`);
  }
  checkChangeSize(requested);
  const wanted = new Set(requested.map(key));
  return group.members.filter((member) => wanted.has(key(member)));
}

function checkChangeSize(requested: MemberRef[]): void {
  if (requested.length === 0) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, 'the member list is empty');
  }
  if (requested.length > MAX_MEMBERS_PER_CHANGE) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `at most ${MAX_MEMBERS_PER_CHANGE} members per change`);
  }
}
