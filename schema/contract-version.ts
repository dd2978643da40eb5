/**
 * Version of the contract (the subgraph schema every MCX system publishes). A gateway composes only
 * subgraphs whose version it knows. Bump it whenever schema/contract.graphql changes in a way that
 * matters to a gateway or a partner; add the new version to KNOWN_CONTRACT_VERSIONS once the
 * gateway handles it. Federation 1 value types must be identical in every subgraph, so a gateway
 * composes one version at a time.
 *
 * 1.0: directory, groups, agreements, audit, access. 1.1: change feed, replicas, delivery status.
 * 1.2: subscriptions to the change feed (`Subscription.<slug>`), @access on shared contact data and
 * group configuration. 1.3: agreement lifecycle, requests and migration (issues 4, 5), joint groups
 * (`jointGroups`, the group.provide and group.members requests, `usersByMcServiceIds`).
 */
export const CONTRACT_VERSION = '1.3';

export const KNOWN_CONTRACT_VERSIONS: readonly string[] = ['1.3'];

/** The directive that says who may resolve a field. Its meaning: schema/README.md. */
export const ACCESS_DIRECTIVE_SDL = `
"""
Who may resolve this field. The owning system's own callers always may. A partner may only when the
owner's agreement with it is active and grants the scope in \`requires\` (further limited to the grant's
organisations, groups and services); with \`ownerOnly\`, partners never may.
"""
directive @access(requires: AccessScope, ownerOnly: Boolean = false) on FIELD_DEFINITION
`;
