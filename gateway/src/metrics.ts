/** Prometheus metrics of the gateway (/metrics): requests, latency, composed systems, subscriptions. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SystemRegistry } from './system-registry.js';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly fieldDenials: Counter<'field'>;

  constructor(gatewayId: string, systems: SystemRegistry, subscriptions: { activeCount: number }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ gateway: gatewayId });
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({ name: 'mcx_gateway_requests_total', help: 'HTTP requests answered, by route and status code.', labelNames: ['route', 'status'], registers });
    this.duration = new Histogram({
      name: 'mcx_gateway_request_duration_seconds',
      help: 'Time to answer a request.',
      labelNames: ['route'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.fieldDenials = new Counter({
      name: 'mcx_gateway_field_denials_total',
      help: 'Field values the gateway itself denied (@access), by field.',
      labelNames: ['field'],
      registers,
    });
    new Gauge({
      name: 'mcx_gateway_systems',
      help: 'Configured MCX systems by state (composed, refused, unreachable).',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const state of ['composed', 'refused', 'unreachable']) this.set({ state }, 0);
        for (const status of systems.status()) this.inc({ state: status.state });
      },
    });
    new Gauge({
      name: 'mcx_gateway_subscriptions_active',
      help: 'Live subscriptions forwarded to the owning systems.',
      registers,
      collect() {
        this.set(subscriptions.activeCount);
      },
    });
  }
}
