/** Prometheus metrics of a subgraph (/metrics): delivery to partners, replicas of partners, requests. */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeliveryStatus } from './services/delivery-worker.js';
import type { SubgraphServices } from './services/subgraph-services.js';
import type { ReplicaCursor } from './store/replica-store.js';

interface Snapshot {
  now: number;
  deliveries: DeliveryStatus[];
  replicas: ReplicaCursor[];
}

export class SubgraphMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'status'>;
  private current: Promise<Snapshot> | null = null;

  constructor(private readonly services: SubgraphServices) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ system: services.identity.slug });
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'mcx_http_requests_total', help: 'HTTP requests answered, by status code.', labelNames: ['status'], registers });

    // Gauges read the store when scraped (one read per scrape, shared), so several processes on one store agree.
    const gauge = (name: string, help: string, fill: (snapshot: Snapshot, set: (partner: string, value: number) => void) => void) =>
      new Gauge({
        name,
        help,
        labelNames: ['partner'],
        registers,
        collect: async function (this: Gauge<'partner'>) {
          const snapshot = await metrics.snapshot();
          this.reset();
          fill(snapshot, (partner, value) => this.set({ partner }, value));
        },
      });
    const metrics = this;
    const age = (now: number, at: string | null) => (at === null ? 0 : (now - Date.parse(at)) / 1000);
    gauge('mcx_outbox_pending', 'Changes shared with a partner and not yet delivered.', (s, set) => s.deliveries.forEach((d) => set(d.partner, d.pending)));
    gauge('mcx_outbox_oldest_pending_seconds', 'Age of the oldest undelivered change (0 when none).', (s, set) => s.deliveries.forEach((d) => set(d.partner, age(s.now, d.oldestPendingAt))));
    gauge('mcx_delivery_failed_attempts', 'Failed delivery attempts since the last success.', (s, set) => s.deliveries.forEach((d) => set(d.partner, d.attempts)));
    gauge('mcx_delivery_last_success_timestamp_seconds', 'When a delivery last succeeded (0: never).', (s, set) => s.deliveries.forEach((d) => set(d.partner, d.lastSuccessAt === null ? 0 : Date.parse(d.lastSuccessAt) / 1000)));
    gauge('mcx_delivered_changes', 'Changes partners applied from our deliveries since this process started.', (_s, set) => services.delivery?.counters.delivered.forEach((n, p) => set(p, n)));
    gauge('mcx_delivery_failures', 'Failed delivery attempts since this process started.', (_s, set) => services.delivery?.counters.failures.forEach((n, p) => set(p, n)));
    gauge('mcx_replica_age_seconds', "Seconds since a partner's last change was applied to our copy.", (s, set) => s.replicas.forEach((r) => set(r.partner, age(s.now, r.lastAppliedAt))));
    new Gauge({
      name: 'mcx_subscriptions_active',
      help: 'Live subscriptions to change feeds served by this process.',
      registers,
      collect: function (this: Gauge) {
        this.set(services.subscriptions.activeCount);
      },
    });
    gauge('mcx_replica_applied_changes', "Changes applied to our copy of a partner's data.", (s, set) => s.replicas.forEach((r) => set(r.partner, r.appliedCount)));
  }

  private snapshot(): Promise<Snapshot> {
    if (this.current === null) {
      this.current = (async () => ({ now: Date.now(), deliveries: await this.services.deliveryStatus(), replicas: await this.services.store.replicas.cursors() }))();
      // One read serves the gauges of one scrape; the next scrape reads again.
      void this.current.finally(() => setTimeout(() => (this.current = null), 50)).catch(() => undefined);
    }
    return this.current;
  }
}
