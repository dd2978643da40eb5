/**
 * Delivers each partner's change feed to the partner: a signed batch sent as a GraphQL mutation
 * through the partner's gateway, with this system's own token. Retries with exponential backoff and
 * jitter while the partner is unreachable; resumes from the durable cursor after a restart. A batch
 * the partner has already applied is acknowledged again (exactly once in effect).
 */
import { ErrorCode } from '../../../domain/errors.js';
import { retryDelayMs } from '../../../domain/sharing.js';
import { signEnvelope } from '../../../identity/envelopes.js';
import type { DeliveryState } from '../store/feed-store.js';
import type { Store } from '../store/store.js';
import { UnreachableError, type OutboundClient } from './outbound-client.js';
import { FEED_BATCH, type FeedBatch, type Receipt } from './replica-service.js';
import type { SharingService } from './sharing-service.js';
import type { SystemKeys } from './system-keys.js';

export type { OutboundGateway } from './outbound-client.js';

export interface DeliveryStatus extends DeliveryState {
  pending: number;
  oldestPendingAt: string | null;
  nextAttemptAt: string | null;
}

const BATCH_SIZE = 500;
/** How often due retries are looked for. */
const POLL_MS = 250;

class DeliveryError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly resumeAfter?: number,
  ) {
    super(message);
  }
}

export class DeliveryWorker {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly nextAttempt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly counters = { delivered: new Map<string, number>(), failures: new Map<string, number>() };

  constructor(
    private readonly owner: string,
    private readonly store: Store,
    private readonly sharing: SharingService,
    private readonly keys: SystemKeys,
    private readonly outbound: OutboundClient,
  ) {}

  start(): void {
    this.sharing.events.on('appended', (partner: string) => {
      this.nextAttempt.delete(partner);
      this.kick(partner);
    });
    const tick = async () => {
      for (const agreement of await this.store.agreements.list().catch(() => [])) {
        const due = this.nextAttempt.get(agreement.partner) ?? 0;
        if (due <= Date.now()) this.kick(agreement.partner);
      }
    };
    this.timer = setInterval(() => void tick(), POLL_MS);
    this.timer.unref();
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled(this.running.values());
  }

  /** Starts delivering to a partner unless that is under way (then once more afterwards). */
  kick(partner: string): void {
    if (this.stopped) return;
    if (this.running.has(partner)) {
      this.again.add(partner);
      return;
    }
    const run = this.deliver(partner)
      .catch((error: unknown) => console.error(`[${this.owner}] delivery to ${partner} failed:`, error))
      .finally(() => {
        this.running.delete(partner);
        if (this.again.delete(partner)) this.kick(partner);
      });
    this.running.set(partner, run);
  }

  private async deliver(partner: string): Promise<void> {
    while (!this.stopped) {
      const state = await this.store.feed.delivery(partner);
      const entries = await this.store.feed.since(partner, state.deliveredSeq, BATCH_SIZE);
      if (entries.length === 0) return;
      const attemptAt = new Date().toISOString();
      try {
        const receipt = await this.send(partner, { afterSeq: state.deliveredSeq, entries });
        await this.store.feed.saveDelivery({ ...state, deliveredSeq: receipt.appliedThrough, attempts: 0, lastError: null, lastAttemptAt: attemptAt, lastSuccessAt: attemptAt });
        this.counters.delivered.set(partner, (this.counters.delivered.get(partner) ?? 0) + receipt.applied);
        this.nextAttempt.delete(partner);
      } catch (error) {
        const failure = error instanceof DeliveryError ? error : new DeliveryError(error instanceof Error ? error.message : String(error), 'UNREACHABLE');
        if (failure.code === ErrorCode.FEED_GAP && failure.resumeAfter !== undefined && failure.resumeAfter < state.deliveredSeq) {
          // The partner lost or never had what we think we delivered: resend from its cursor.
          await this.store.feed.saveDelivery({ ...state, deliveredSeq: failure.resumeAfter, lastAttemptAt: attemptAt, lastError: failure.message });
          continue;
        }
        const attempts = state.attempts + 1;
        await this.store.feed.saveDelivery({ ...state, attempts, lastError: `${failure.code}: ${failure.message}`.slice(0, 500), lastAttemptAt: attemptAt });
        this.counters.failures.set(partner, (this.counters.failures.get(partner) ?? 0) + 1);
        this.nextAttempt.set(partner, Date.now() + retryDelayMs(attempts, Math.random()));
        return;
      }
    }
  }

  private async send(partner: string, batch: FeedBatch): Promise<Receipt> {
    const envelope = await signEnvelope(this.keys.current.privateKey, { from: this.owner, to: partner, kind: FEED_BATCH, body: batch });
    let answer;
    try {
      answer = await this.outbound.request<Record<string, { receivePartnerChanges: { appliedThrough: string; applied: number } | null } | null>>(
        `mutation Deliver($envelope: String!) { ${partner} { receivePartnerChanges(envelope: $envelope) { appliedThrough applied } } }`,
        { envelope },
      );
    } catch (error) {
      if (error instanceof UnreachableError) throw new DeliveryError(error.message, 'UNREACHABLE');
      throw error;
    }
    const receipt = answer.data?.[partner]?.receivePartnerChanges;
    if (receipt) return { appliedThrough: Number(receipt.appliedThrough), applied: receipt.applied };
    const error = answer.errors[0];
    throw new DeliveryError(error?.message ?? `HTTP ${answer.status}`, error?.extensions?.code ?? `HTTP_${answer.status}`, error?.extensions?.resumeAfter as number | undefined);
  }

  /** When the next attempt to a partner in backoff is due (null: none scheduled). */
  nextAttemptAt(partner: string): string | null {
    const next = this.nextAttempt.get(partner);
    return next === undefined ? null : new Date(next).toISOString();
  }
}

/** Delivery status per partner, from the store (and the worker's schedule, when this process runs one). */
export async function deliveryStatus(store: Store, worker: DeliveryWorker | null): Promise<DeliveryStatus[]> {
  const result: DeliveryStatus[] = [];
  for (const agreement of await store.agreements.list()) {
    const state = await store.feed.delivery(agreement.partner);
    const stats = await store.feed.pending(agreement.partner, state.deliveredSeq);
    result.push({ ...state, pending: stats.pending, oldestPendingAt: stats.oldestPendingAt, nextAttemptAt: worker?.nextAttemptAt(agreement.partner) ?? null });
  }
  return result;
}
