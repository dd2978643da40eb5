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
