/**
 * Writes what changes for each partner into the per-partner change feed, in the same transaction as
 * the change itself (the feed is the outbox), and wakes the delivery worker once it has committed.
 */
import { EventEmitter } from 'node:events';
import { resolveAccess, systemPrincipal, type EffectiveAccess } from '../../../domain/access.js';
import { isInForce } from '../../../domain/agreement.js';
import type { AgreementMessage } from '../../../domain/agreement-lifecycle.js';
import type { JointGroupMessage } from '../../../domain/joint-groups.js';
import type { RequestMessage } from '../../../domain/requests.js';
import type { GroupRecord, UserRecord } from '../../../domain/model.js';
import { changeFor, sharedGroup, sharedUser, type FeedChange, type SharedGroup, type SharedUser } from '../../../domain/sharing.js';
import { pageOfVisible } from './paging.js';
import type { Store } from '../store/store.js';

const PAGE = 500;

export class SharingService {
  /** Emits 'appended' (partner) after a commit that added feed entries for that partner. */
  readonly events = new EventEmitter();

  constructor(private readonly owner: string) {
    this.events.setMaxListeners(0);
  }

  /** Partners whose agreement is in force, with what each may see. */
  private async partners(store: Store, now = new Date()): Promise<EffectiveAccess[]> {
    const agreements = await store.agreements.list();
    return agreements
      .filter((agreement) => isInForce(agreement, now))
      .map((agreement) => resolveAccess(this.owner, systemPrincipal(agreement.partner), agreement, now));
  }

  private async append(store: Store, partner: string, changes: FeedChange[]): Promise<void> {
    if (changes.length === 0) return;
    await store.feed.append(partner, changes, new Date());
    store.afterCommit(() => this.events.emit('appended', partner));
  }

  async userChanged(store: Store, before: UserRecord | null, after: UserRecord | null): Promise<void> {
    const id = (after ?? before)!.id;
    for (const access of await this.partners(store)) {
      const change = changeFor('user', id, before, after, (user) => sharedUser(access, user));
      if (change) await this.append(store, access.partner, [change]);
    }
  }

  async groupChanged(store: Store, before: GroupRecord | null, after: GroupRecord | null): Promise<void> {
    const id = (after ?? before)!.groupId;
    for (const access of await this.partners(store)) {
      const change = changeFor('group', id, before, after, (group) => sharedGroup(access, group));
      if (change) await this.append(store, access.partner, [change]);
    }
  }

  /** Sends a message about the agreement to the partner: it travels in the partner's feed, in order with the rest. */
  async notify(store: Store, partner: string, message: AgreementMessage): Promise<void> {
    await this.append(store, partner, [{ entity: 'agreement', entityId: message.event.kind, op: 'notify', payload: message }]);
  }

  /** Sends a message about a request to the partner, the same way. */
  async notifyRequest(store: Store, partner: string, message: RequestMessage): Promise<void> {
    const id = 'id' in message ? message.id : message.kind;
    await this.append(store, partner, [{ entity: 'request', entityId: id, op: 'notify', payload: message }]);
  }

  /** Sends a joint group's state (or the end of the partner's part in it) to a participant, the same way. */
  async notifyJointGroup(store: Store, partner: string, message: JointGroupMessage): Promise<void> {
    const id = message.kind === 'jointGroup.state' ? message.state.config.groupId : message.groupId;
    await this.append(store, partner, [{ entity: 'jointGroup', entityId: id, op: 'notify', payload: message }]);
  }

  /** A page of what a partner may see now of this system's users and groups, exactly as its feed shares them. */
  async partnerView(store: Store, partner: string, page: { limit: number; offset: number }): Promise<{ access: EffectiveAccess; users: SharedUser[]; groups: SharedGroup[] }> {
    const access = resolveAccess(this.owner, systemPrincipal(partner), (await store.agreements.get(partner)) ?? null, new Date());
    const users = await pageOfVisible((batch) => store.users.list({ organisations: null, search: null, ...batch }), (user) => sharedUser(access, user) !== null, page);
    const groups = await pageOfVisible((batch) => store.groups.list({ organisations: null, groups: null, ...batch }), (group) => sharedGroup(access, group) !== null, page);
    return { access, users: users.map((u) => sharedUser(access, u)!), groups: groups.map((g) => sharedGroup(access, g)!) };
  }

  /**
   * Everything a partner may see now, after a reset: written when what the partner may see changes
   * as a whole (grants changed, agreement back in force). With nothing shared, the reset alone
   * tells the partner to drop its copy.
   */
  async resnapshot(store: Store, partner: string): Promise<void> {
    const agreement = await store.agreements.get(partner);
    const now = new Date();
    const changes: FeedChange[] = [{ entity: 'all', entityId: '*', op: 'reset', payload: null }];
    if (agreement && isInForce(agreement, now)) {
      const access = resolveAccess(this.owner, systemPrincipal(partner), agreement, now);
      for (let offset = 0; ; offset += PAGE) {
        const users = await store.users.list({ organisations: null, search: null, limit: PAGE, offset });
        for (const user of users) {
          const view = sharedUser(access, user);
          if (view) changes.push({ entity: 'user', entityId: user.id, op: 'upsert', payload: view });
        }
        if (users.length < PAGE) break;
      }
      for (let offset = 0; ; offset += PAGE) {
        const groups = await store.groups.list({ organisations: null, groups: null, limit: PAGE, offset });
        for (const group of groups) {
          const view = sharedGroup(access, group);
          if (view) changes.push({ entity: 'group', entityId: group.groupId, op: 'upsert', payload: view });
        }
        if (groups.length < PAGE) break;
      }
    }
    await this.append(store, partner, changes);
  }
}
