/** Names shared by the gateway and the subgraphs on the wire. */
/** Carries a gateway's signed caller assertion to a subgraph. */
export const ASSERTION_HEADER = 'x-mcx-assertion';
/** A subgraph's public metadata: slug, name, contract version, public key. */
export const WELL_KNOWN_PATH = '/.well-known/mcx-system';
/**
 * Carries the caller assertion with each subscription over a WebSocket (in the `subscribe`
 * message's `extensions`): one connection from a gateway serves many callers, so the identity
 * travels per subscription, not per connection.
 */
export const ASSERTION_EXTENSION = 'mcxAssertion';
