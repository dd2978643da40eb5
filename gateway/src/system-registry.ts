/**
 * The MCX systems this gateway is configured to compose. For each it reads the subgraph's public
 * metadata (/.well-known/mcx-system): the contract version (a subgraph with a version this gateway
 * does not know is refused, with a clear message) and the system's public key (to verify tokens
 * that the system issued).
 */
import type { KeyObject } from 'node:crypto';
import { WELL_KNOWN_PATH } from '../../common/http-headers.js';
import { publicKeyFromPem } from '../../identity/keys.js';
import { KNOWN_CONTRACT_VERSIONS } from '../../schema/contract-version.js';

export interface SubgraphEndpoint {
  slug: string;
  /** Base URL of the subgraph, e.g. http://127.0.0.1:4101 */
  url: string;
}

export type SystemState = 'composed' | 'refused' | 'unreachable';

export interface SystemStatus {
  slug: string;
  url: string;
  state: SystemState;
  name?: string;
  contractVersion?: string;
  publicKeyFingerprint?: string;
  message?: string;
  checkedAt: string;
}

interface WellKnown {
  slug: string;
  name: string;
  contractVersion: string;
  publicKey: string;
  publicKeyFingerprint: string;
  /** After a key rotation, until `previousKeyValidUntil`. */
  previousPublicKey?: string | null;
  previousKeyValidUntil?: string | null;
}

interface SystemKeys {
  current: KeyObject;
  previous: { key: KeyObject; validUntil: number } | null;
}

export class SystemRegistry {
  private readonly statuses = new Map<string, SystemStatus>();
  private readonly keys = new Map<string, SystemKeys>();
  private readonly parsedKeys = new Map<string, KeyObject>();

  constructor(
    private readonly endpoints: () => SubgraphEndpoint[],
    private readonly log: (message: string) => void = console.warn,
  ) {}

  async refresh(): Promise<void> {
    const endpoints = this.endpoints();
    for (const slug of [...this.statuses.keys()]) {
      if (!endpoints.some((e) => e.slug === slug)) {
        this.statuses.delete(slug);
        this.keys.delete(slug);
      }
    }
    await Promise.all(endpoints.map((endpoint) => this.check(endpoint)));
  }

  private async check(endpoint: SubgraphEndpoint): Promise<void> {
    const checkedAt = new Date().toISOString();
    const previous = this.statuses.get(endpoint.slug);
    let status: SystemStatus;
    try {
      const response = await fetch(`${endpoint.url}${WELL_KNOWN_PATH}`, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const meta = (await response.json()) as WellKnown;
      if (meta.slug !== endpoint.slug) {
        status = { ...endpoint, state: 'refused', checkedAt, message: `the subgraph at ${endpoint.url} says it is "${meta.slug}", not "${endpoint.slug}"` };
      } else if (!KNOWN_CONTRACT_VERSIONS.includes(meta.contractVersion)) {
        status = {
          ...endpoint,
          state: 'refused',
          checkedAt,
          name: meta.name,
          contractVersion: meta.contractVersion,
          message: `refused subgraph "${endpoint.slug}" at ${endpoint.url}: it publishes contract version ${meta.contractVersion}, and this gateway knows only ${KNOWN_CONTRACT_VERSIONS.join(', ')}`,
        };
      } else {
        const previous = meta.previousPublicKey && meta.previousKeyValidUntil ? { key: this.parsed(meta.previousPublicKey), validUntil: Date.parse(meta.previousKeyValidUntil) } : null;
        this.keys.set(endpoint.slug, { current: this.parsed(meta.publicKey), previous });
        status = { ...endpoint, state: 'composed', checkedAt, name: meta.name, contractVersion: meta.contractVersion, publicKeyFingerprint: meta.publicKeyFingerprint };
      }
    } catch (error) {
      status = { ...endpoint, state: 'unreachable', checkedAt, message: `cannot reach ${endpoint.url}: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (status.state !== 'composed' && (previous?.state !== status.state || previous?.message !== status.message)) this.log(status.message!);
    this.statuses.set(endpoint.slug, status);
  }

  /** The same key object for the same PEM, so that callers can tell whether a key is still current. */
  private parsed(pem: string): KeyObject {
    let key = this.parsedKeys.get(pem);
    if (key === undefined) {
      key = publicKeyFromPem(pem);
      this.parsedKeys.set(pem, key);
    }
    return key;
  }

  composable(): SubgraphEndpoint[] {
    return [...this.statuses.values()].filter((s) => s.state === 'composed').map(({ slug, url }) => ({ slug, url }));
  }


  urlOf(slug: string): string | undefined {
    return this.statuses.get(slug)?.url;
  }

  /**
   * The keys a system's tokens may be signed with: the last public key seen for it (tokens it issued
   * stay verifiable while it is briefly unreachable), and the previous one until its rotation's grace ends.
   */
  keysOf(slug: string): KeyObject[] {
    const keys = this.keys.get(slug);
    if (keys === undefined) return [];
    return keys.previous !== null && keys.previous.validUntil > Date.now() ? [keys.current, keys.previous.key] : [keys.current];
  }

  status(): SystemStatus[] {
    return [...this.statuses.values()].sort((a, b) => a.slug.localeCompare(b.slug));
  }

  /** Identifies a composition: which systems, where, with which contract version and key. */
  compositionKey(slugs: string[]): string {
    return [...slugs]
      .sort()
      .map((slug) => {
        const status = this.statuses.get(slug);
        return `${slug}@${status?.url}#${status?.contractVersion}#${status?.publicKeyFingerprint}`;
      })
      .join('|');
  }

  knownSlugs(): string[] {
    return this.composable().map((s) => s.slug);
  }
}
