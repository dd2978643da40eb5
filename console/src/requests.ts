/** Requests as the console shows them: their fields, the order of the inbox, what each asks for in words. Pure (tested alone). */
import { urgencyRank, type Urgency } from '../../domain/joint-groups.js';
import { list, when } from './format.js';

export interface PartnerRequest {
  id: string;
  direction: string;
  partner: string;
  kind: string;
  status: string;
  requester: { system: string; subject: string };
  handler: string | null;
  userCount: number;
  userIds: string[];
  services: string[] | null;
  at: string | null;
  validFrom: string | null;
  validUntil: string | null;
  approved: string[] | null;
  refused: Array<{ userId: string; code: string; reason: string }> | null;
  decidedBy: string | null;
  reason: string | null;
  createdAt: string;
  decideBy: string | null;
  decidedAt: string | null;
  groupId: string | null;
  groupName: string | null;
  operation: string | null;
  urgency: string | null;
}

export const REQUEST_FIELDS =
  'id direction partner kind status requester { system subject } handler userCount userIds services at validFrom validUntil approved refused { userId code reason } decidedBy reason createdAt decideBy decidedAt groupId groupName operation urgency';

/** Most urgent first (emergency, urgent, routine, then those without an urgency), then the one that expires first. */
export function byUrgency(a: PartnerRequest, b: PartnerRequest): number {
  const rank = (r: PartnerRequest) => (r.urgency ? urgencyRank(r.urgency as Urgency) : 3);
  return rank(a) - rank(b) || (Date.parse(a.decideBy ?? a.createdAt) || 0) - (Date.parse(b.decideBy ?? b.createdAt) || 0);
}

/** What a request asks for, in words. */
export function describe(r: PartnerRequest): string {
  switch (r.kind) {
    case 'migration.authorise':
      return `authorise ${r.userCount} user${r.userCount === 1 ? '' : 's'} to migrate for ${list(r.services)} until ${when(r.validUntil)}`;
    case 'migration.remove':
      return `remove ${r.userCount} user${r.userCount === 1 ? '' : 's'} from their migration authorisation`;
    case 'services.toggle':
      return `set visitors' services to ${list(r.services)}${r.at ? ` at ${when(r.at)}` : ' now'}`;
    case 'group.provide':
      return `take part in joint group "${r.groupName}" (${r.groupId})`;
    case 'group.members':
      return `${r.operation} ${r.userCount} member${r.userCount === 1 ? '' : 's'} ${r.operation === 'add' ? 'to' : 'from'} joint group ${r.groupId}`;
    default:
      return r.kind;
  }
}
