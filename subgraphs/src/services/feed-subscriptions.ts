/**
 * Live subscriptions to a partner's change feed: the entries after a cursor, then each new entry as
 * it commits. The feed is the same one that is delivered and pulled (sharing-service.ts), so a
 * subscriber sees exactly what the partner may see, in order, and can resume after a cursor with no
 * gap. Before every read the caller's access is decided anew from the store: once the agreement is
 * no longer active, the subscription ends with an error event.
 *
 * New entries are noticed at once when they commit in this process (SharingService 'appended'), and
 * within `pollMs` when another process on the same store wrote them.
 */
import { decideFeedView } from '../../../domain/access.js';
import { McxError } from '../../../domain/errors.js';
import type { Principal } from '../../../domain/model.js';
import { feedStart } from '../../../domain/sharing.js';
import type { FeedEntry } from '../store/feed-store.js';
import type { SubgraphServices } from './subgraph-services.js';

/** What a subscriber receives: a feed entry, or the error that ends the subscription. */
export type FeedEvent = { kind: 'entry'; entry: FeedEntry } | { kind: 'end'; error: McxError };

const BATCH = 200;
export const FEED_POLL_MS = 500;

export class FeedSubscriptions {
  private active = 0;

  constructor(
    private readonly services: SubgraphServices,
    private readonly pollMs = FEED_POLL_MS,
  ) {}

  get activeCount(): number {
    return this.active;
  }

  /**
   * Opens a subscription to `partner`'s feed for `principal`, after `after` (null: only what comes
   * from now on). Refused at once (thrown) when the caller may not follow that feed.
   */
  async open(principal: Principal, partner: string, after: number | null): Promise<AsyncIterableIterator<FeedEvent>> {
    const access = await this.services.access.accessFor(principal);
    const decision = decideFeedView(access, partner);
    if (!decision.allowed) throw new McxError(decision.code, decision.reason);
    const head = await this.services.store.feed.head(partner);
    const cursor = after === null ? head.lastSeq : feedStart(access, after, head.lastResetSeq);
    this.active += 1;
    return new FeedFollower(this.services, principal, partner, cursor, this.pollMs, () => (this.active -= 1));
  }
}

class FeedFollower implements AsyncIterableIterator<FeedEvent> {
  private readonly buffer: FeedEntry[] = [];
  private closed = false;
  private wake: (() => void) | null = null;
  /** Set when entries were appended since the last read: the next sleep returns at once. */
  private appended = false;
  private readonly onAppended = (partner: string) => {
    if (partner !== this.partner) return;
    this.appended = true;
    this.wake?.();
  };

  constructor(
    private readonly services: SubgraphServices,
    private readonly principal: Principal,
    private readonly partner: string,
    private cursor: number,
    private readonly pollMs: number,
    private readonly onClose: () => void,
  ) {
    services.sharing.events.on('appended', this.onAppended);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<FeedEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<FeedEvent>> {
    while (!this.closed) {
      const buffered = this.buffer.shift();
      if (buffered !== undefined) return { done: false, value: { kind: 'entry', entry: buffered } };
      const decision = decideFeedView(await this.services.access.accessFor(this.principal), this.partner);
      if (!decision.allowed) {
        this.close();
        return { done: false, value: { kind: 'end', error: new McxError(decision.code, `subscription ended: ${decision.reason}`) } };
      }
      this.appended = false;
      const entries = await this.services.store.feed.since(this.partner, this.cursor, BATCH);
      if (entries.length > 0) {
        this.cursor = entries[entries.length - 1]!.seq;
        this.buffer.push(...entries);
        continue;
      }
      await this.sleep();
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<FeedEvent>> {
    this.close();
    return { done: true, value: undefined };
  }

  private sleep(): Promise<void> {
    if (this.appended || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.services.sharing.events.off('appended', this.onAppended);
    this.wake?.();
    this.onClose();
  }
}
