/** Starts one MCX system's configuration subgraph: keys, store, seed, GraphQL over HTTP and WebSocket. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrustedGateway } from '../../identity/tokens.js';
import { validateSlug } from '../../domain/validation.js';
import { CallerVerifier } from './caller-verifier.js';
import { createApolloServer } from './graphql/apollo-server.js';
import { buildSystemSchema } from './graphql/schema.js';
import { SubgraphHttpServer } from './http-server.js';
import { SubgraphSubscriptionServer } from './subscription-server.js';
import { SubgraphMetrics } from './metrics.js';
import { benchSeedPlan, fanoutSeedPlan, migrationSeedPlan } from './seed/bench-seed.js';
import { demoSeedPlan } from './seed/demo-seed.js';
import { applySeedPlan } from './seed/seed-plan.js';
import { SubgraphServices } from './services/subgraph-services.js';
import { SystemKeys } from './services/system-keys.js';
import type { SystemIdentity } from './services/system-identity.js';
import { DeliveryWorker, type OutboundGateway } from './services/delivery-worker.js';
import { OutboundClient } from './services/outbound-client.js';
import { openDatabase, type StoreConfig } from './store/database.js';
import { Store } from './store/store.js';

/** A partner's public key (PEM) from a shared key folder, when it is there. */
function peerKey(dir: string | null, partner: string): string | null {
  if (dir === null) return null;
  const path = join(dir, partner, 'keys', 'public-key.pem');
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

export type SeedName = 'demo' | 'bench' | 'fanout' | 'migration';

export interface SubgraphConfig {
  slug: string;
  name: string;
  domain: string;
  /** KMS URI of the system's users. */
  securityDomain: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Folder of this system's key pair. */
  keyDir: string;
  store: StoreConfig;
  trustedGateways: TrustedGateway[];
  /** Seed an empty store with this data set. */
  seed: SeedName | null;
  /** Where partners' public keys lie (`<dir>/<slug>/keys/public-key.pem`) for seeded agreements to pin. */
  peerKeyDir: string | null;
  /** The gateway through which this system delivers its change feed to partners. */
  outboundGateway: OutboundGateway | null;
}

export interface RunningSubgraph {
  slug: string;
  /** Base URL, e.g. http://127.0.0.1:4101 (GraphQL at /graphql). */
  url: string;
  identity: SystemIdentity;
  close(): Promise<void>;
}

/** Defaults for a system whose data lives under `dataDir/<slug>`. */
export function defaultSubgraphConfig(slug: string, dataDir: string, overrides: Partial<SubgraphConfig> = {}): SubgraphConfig {
  validateSlug(slug);
  const domain = overrides.domain ?? `${slug}.example`;
  return {
    slug,
    name: slug,
    domain,
    securityDomain: `https://kms.${domain}`,
    host: '127.0.0.1',
    port: 0,
    keyDir: join(dataDir, slug, 'keys'),
    store: { kind: 'sqlite', file: join(dataDir, slug, 'configuration.sqlite') },
    trustedGateways: [],
    seed: null,
    peerKeyDir: dataDir,
    outboundGateway: null,
    ...overrides,
  };
}

export async function startSubgraph(config: SubgraphConfig): Promise<RunningSubgraph> {
  validateSlug(config.slug);
  const keys = new SystemKeys(config.keyDir);
  const identity: SystemIdentity = {
    id: `urn:mcx:system:${config.domain}`,
    slug: config.slug,
    name: config.name,
    domain: config.domain,
    securityDomain: config.securityDomain,
    keys,
  };
  const database = await openDatabase(config.store);
  const store = new Store(database.db);
  const services = new SubgraphServices(identity, store);
  await services.keyRotation.recover();
  if (config.seed !== null && (await store.isEmpty())) {
    const plans = { demo: demoSeedPlan, bench: benchSeedPlan, fanout: fanoutSeedPlan, migration: migrationSeedPlan };
    const plan = plans[config.seed](config.slug);
    if (plan === undefined) throw new Error(`the ${config.seed} data set has no system "${config.slug}"`);
    await applySeedPlan(store, config.slug, config.domain, plan, (partner) => peerKey(config.peerKeyDir, partner));
    // What each partner may see from the start goes into its feed.
    await store.transaction(async (trx) => {
      for (const agreement of await trx.agreements.list()) await services.sharing.resnapshot(trx, agreement.partner);
    });
  }
  if (config.outboundGateway !== null) {
    const outbound = new OutboundClient(config.slug, keys, config.outboundGateway);
    services.agreements.outbound = outbound;
    services.delivery = new DeliveryWorker(config.slug, store, services.sharing, keys, outbound);
  }
  const schema = await buildSystemSchema(config.slug);
  const apollo = await createApolloServer(schema);
  const callers = new CallerVerifier(services, config.trustedGateways);
  const http = new SubgraphHttpServer(apollo, services, callers, new SubgraphMetrics(services));
  const subscriptions = new SubgraphSubscriptionServer(http.server, schema, services, callers);
  const url = await http.listen(config.port, config.host);
  services.delivery?.start();
  const housekeeping = setInterval(() => void services.replicas.forgetOldMessages().catch(() => undefined), 60_000);
  housekeeping.unref();
  // Agreements, pending requests and migration authorisations end when their time runs out: checked every second.
  const expiry = setInterval(() => {
    void services.agreements.expireDue().catch((error: unknown) => console.error(`[${config.slug}] expiring agreements failed:`, error));
    void services.requests.expireDue().catch((error: unknown) => console.error(`[${config.slug}] expiring requests failed:`, error));
  }, 1_000);
  expiry.unref();
  return {
    slug: config.slug,
    url,
    identity,
    async close() {
      clearInterval(housekeeping);
      clearInterval(expiry);
      await services.delivery?.stop();
      await subscriptions.close();
      await http.close();
      await apollo.stop();
      await database.close();
    },
  };
}
