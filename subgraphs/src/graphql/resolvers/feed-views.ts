/** Feed cursors and entries as the contract shows them (pulled pages and pushed subscription events). */
import { ErrorCode, McxError } from '../../../../domain/errors.js';
import type { AgreementMessage } from '../../../../domain/agreement-lifecycle.js';
import type { RequestMessage } from '../../../../domain/requests.js';
import type { JointGroupMessage } from '../../../../domain/joint-groups.js';
import type { SharedGroup, SharedUser } from '../../../../domain/sharing.js';
import type { FeedEntry } from '../../store/feed-store.js';
import type { ChangeEntry, SharedChange } from '../types/sharing.js';

/** A cursor argument: empty or absent means the start of the feed. */
export function parseCursor(value: string | null | undefined, field = 'after'): number {
  if (value === null || value === undefined || value === '') return 0;
  const seq = Number(value);
  if (!Number.isSafeInteger(seq) || seq < 0) throw new McxError(ErrorCode.BAD_USER_INPUT, `"${value}" is not a feed cursor`, { field });
  return seq;
}

function position(entry: FeedEntry) {
  return { cursor: String(entry.seq), entity: entry.entity, op: entry.op, id: entry.entityId, at: new Date(entry.at) };
}

export function changeEntryView(entry: FeedEntry): ChangeEntry {
  return { ...position(entry), payload: entry.payload === null ? null : JSON.stringify(entry.payload) };
}

export function sharedChangeView(entry: FeedEntry, partner: string): SharedChange {
  return {
    ...position(entry),
    partner,
    user: entry.entity === 'user' ? ((entry.payload as SharedUser | null) as SharedChange['user']) : null,
    group: entry.entity === 'group' ? ((entry.payload as SharedGroup | null) as SharedChange['group']) : null,
    agreementStep: entry.entity === 'agreement' ? ((entry.payload as AgreementMessage | null)?.event.kind ?? null) : null,
    requestStep: entry.entity === 'request' ? ((entry.payload as RequestMessage | null)?.kind ?? null) : null,
    jointGroupStep: entry.entity === 'jointGroup' ? ((entry.payload as JointGroupMessage | null)?.kind ?? null) : null,
  };
}
