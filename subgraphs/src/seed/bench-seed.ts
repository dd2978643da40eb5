/**
 * Benchmark systems: alpha owns 50 users (the directory query reads them); bravo may read their
 * contact data, charlie may read the directory but not contact data (every phone is denied).
 */
import { grant, type SeedPlan } from './seed-plan.js';

export function benchSeedPlan(slug: string, now = new Date()): SeedPlan | undefined {
  const validFrom = new Date(now.getTime() - 86_400_000);
  const partner = (name: string, grants: SeedPlan['agreements'][number]['grantedToPartner']) => ({
    partner: name,
    partnerName: name,
    status: 'ACTIVE' as const,
    validFrom,
    validUntil: null,
   
    grantedToPartner: grants,
    grantedByPartner: [],
  });
  switch (slug) {
    case 'alpha':
      return {
        organisations: [{ id: 'alpha-org', name: 'Alpha Rescue', kind: 'fire', users: 50 }],
        groupsPerOrganisation: ['ops', 'command'],
        agreements: [
          partner('bravo', [grant('DIRECTORY_READ'), grant('CONTACT_READ')]),
          partner('charlie', [grant('DIRECTORY_READ')]),
        ],
      };
    case 'bravo':
    case 'charlie':
      return {
        organisations: [{ id: `${slug}-org`, name: `${slug} org`, kind: 'fire', users: 1 }],
        groupsPerOrganisation: [],
        agreements: [partner('alpha', [])],
      };
    default:
      return undefined;
  }
}

/** Partners of the fan-out benchmark: p01 .. pNN. */
export function fanoutPartners(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
}

/**
 * Propagation benchmark: `hub` owns 100 users and shares its whole directory with each of
 * MCX_FANOUT_PARTNERS partners (default 10), named p01, p02, ...
 */
export function fanoutSeedPlan(slug: string, partnerCount = Number(process.env.MCX_FANOUT_PARTNERS ?? 10), now = new Date()): SeedPlan | undefined {
  const validFrom = new Date(now.getTime() - 86_400_000);
  const agreement = (partner: string, grants: SeedPlan['agreements'][number]['grantedToPartner']) => ({
    partner,
    partnerName: partner,
    status: 'ACTIVE' as const,
    validFrom,
    validUntil: null,
    grantedToPartner: grants,
    grantedByPartner: [],
  });
  if (slug === 'hub') {
    return {
      organisations: [{ id: 'hub-org', name: 'Hub Rescue', kind: 'fire', users: 100 }],
      groupsPerOrganisation: ['ops'],
      agreements: fanoutPartners(partnerCount).map((p) => agreement(p, [grant('DIRECTORY_READ'), grant('CONTACT_READ'), grant('GROUP_CONFIG_READ')])),
    };
  }
  if (/^p\d\d$/.test(slug)) {
    return { organisations: [{ id: `${slug}-org`, name: `${slug} org`, kind: 'fire', users: 1 }], groupsPerOrganisation: [], agreements: [agreement('hub', [])] };
  }
  return undefined;
}

/** Users of `home` in the migration data set (a large incident's responders). */
export const MIGRATION_USERS = 10_000;

/**
 * Migration data set (the 10,000-user test and benchmark): `home` has MIGRATION_USERS responders
 * and asks `host` to authorise them; host grants home MIGRATION_REQUEST for MCPTT and MCData.
 */
export function migrationSeedPlan(slug: string, now = new Date()): SeedPlan | undefined {
  const validFrom = new Date(now.getTime() - 86_400_000);
  const agreement = (partner: string, toPartner: SeedPlan['agreements'][number]['grantedToPartner'], byPartner: SeedPlan['agreements'][number]['grantedToPartner']) => ({
    partner,
    partnerName: partner,
    status: 'ACTIVE' as const,
    validFrom,
    validUntil: null,
    grantedToPartner: toPartner,
    grantedByPartner: byPartner,
  });
  const migration = [grant('MIGRATION_REQUEST', { organisations: ['home-responders'], services: ['MCPTT', 'MCDATA'] })];
  if (slug === 'home') {
    return { organisations: [{ id: 'home-responders', name: 'Home Responders', kind: 'fire', users: MIGRATION_USERS }], groupsPerOrganisation: [], agreements: [agreement('host', [], migration)] };
  }
  if (slug === 'host') {
    return { organisations: [{ id: 'host-org', name: 'Host Rescue', kind: 'fire', users: 10 }], groupsPerOrganisation: ['ops'], agreements: [agreement('home', migration, [])] };
  }
  return undefined;
}
