import type { SystemKeys } from './system-keys.js';

/** What a configuration subgraph knows about the MCX system it serves. */
export interface SystemIdentity {
  /** Stable identifier (a URN). */
  id: string;
  /** Root field name in the composed schema, e.g. `north`. */
  slug: string;
  name: string;
  /** The system's SIP/DNS domain, e.g. mcx.north.example. */
  domain: string;
  /** KMS URI of the system's users (their security domain). */
  securityDomain: string;
  /** The system's signing keys (current, and the previous one during a rotation's grace period). */
  keys: SystemKeys;
}
