/** Seeds a new, empty store from a plan (demo and benchmark systems). */
import { hashPassword } from '../../../identity/passwords.js';
import { MADE_BEFOREHAND } from '../../../domain/agreement.js';
import type { AgreementRecord, GroupRecord, McService, OrganisationRecord, ScopeGrant, UserRecord } from '../../../domain/model.js';
import type { Store } from '../store/store.js';
import { fingerprintOf, publicKeyFromPem } from '../../../identity/keys.js';

export interface SeedPlan {
  organisations: Array<OrganisationRecord & { users: number }>;
  /** Groups per organisation, named by suffix; each gets the organisation's users as members. */
  groupsPerOrganisation: string[];
  /** Partners' keys are pinned when seeding (see applySeedPlan's partnerKey). */
  /** Agreements made beforehand (not proposed between live systems): fingerprints count as confirmed. */
  /** Administrators who can sign in to the console (the demo's: docs and `npm start` name them). */
  administrators?: Array<{ username: string; password: string }>;
  agreements: Array<Pick<AgreementRecord, 'partner' | 'partnerName' | 'status' | 'validFrom' | 'validUntil' | 'grantedToPartner' | 'grantedByPartner'>>;
}

const FIRST = ['anna', 'ben', 'carla', 'david', 'eva', 'felix', 'greta', 'hugo', 'ida', 'jonas', 'karin', 'lars', 'maja', 'nils', 'olga', 'paul', 'rosa', 'sven', 'tina', 'ulf'];
const LAST = ['berg', 'dahl', 'falk', 'holm', 'lind', 'nord', 'strand', 'wall', 'ek', 'sund', 'vik', 'lund'];

function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function seedUsers(slug: string, domain: string, organisation: OrganisationRecord, count: number, offset: number, now: Date): UserRecord[] {
  const users: UserRecord[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const first = FIRST[n % FIRST.length]!;
    const last = LAST[Math.floor(n / FIRST.length) % LAST.length]!;
    const handle = `${first}.${last}${n >= FIRST.length * LAST.length ? n : ''}`;
    const services: McService[] = ['MCPTT'];
    if (n % 3 !== 2) services.push('MCDATA');
    if (n % 3 === 0) services.push('MCVIDEO');
    users.push({
      id: `${slug}-u${String(n + 1).padStart(4, '0')}`,
      displayName: `${capital(first)} ${capital(last)}${n >= FIRST.length * LAST.length ? ` ${n}` : ''}`,
      organisationId: organisation.id,
      mcpttId: `sip:${handle}@mcptt.${domain}`,
      mcdataId: services.includes('MCDATA') ? `sip:${handle}@mcdata.${domain}` : null,
      mcvideoId: services.includes('MCVIDEO') ? `sip:${handle}@mcvideo.${domain}` : null,
      functionalAliases: i === 0 ? [`sip:${organisation.id}-commander@mcptt.${domain}`] : [],
      enabledServices: services,
      securityDomain: `https://kms.${domain}`,
      phone: `+46700${String(n).padStart(6, '0')}`,
      email: `${handle}@${domain}`,
      createdAt: now,
      updatedAt: now,
    });
  }
  return users;
}

export function groupIdOf(domain: string, organisationId: string, suffix: string): string {
  return `sip:${organisationId}-${suffix}@mcptt.${domain}`;
}

/**
 * Seeds the store. `partnerKey` gives a partner's public key (PEM) where it is known: a seeded
 * agreement stands for one made beforehand, with keys exchanged, so the key is pinned.
 */
export async function applySeedPlan(
  store: Store,
  slug: string,
  domain: string,
  plan: SeedPlan,
  partnerKey: (partner: string) => string | null = () => null,
): Promise<void> {
  const now = new Date();
  await store.transaction(async (trx) => {
    let offset = 0;
    for (const { users: count, ...organisation } of plan.organisations) {
      await trx.organisations.insert(organisation);
      const users = seedUsers(slug, domain, organisation, count, offset, now);
      offset += count;
      for (const user of users) await trx.users.insert(user);
      for (const suffix of plan.groupsPerOrganisation) {
        const services: McService[] = suffix === 'video' ? ['MCVIDEO'] : suffix === 'data' ? ['MCDATA'] : ['MCPTT', 'MCDATA'];
        const group: GroupRecord = {
          groupId: groupIdOf(domain, organisation.id, suffix),
          name: `${organisation.name} ${suffix}`,
          homeSystem: slug,
          organisationId: organisation.id,
          services,
          memberLimit: Math.max(100, count * 2),
          disabled: false,
          members: users
            .filter((u) => services.some((s) => u.enabledServices.includes(s)))
            .map((u) => ({ system: slug, mcServiceId: (u.mcpttId ?? u.mcdataId ?? u.mcvideoId)!, securityDomain: u.securityDomain })),
          createdAt: now,
          updatedAt: now,
        };
        await trx.groups.insert(group);
      }
    }
    for (const { username, password } of plan.administrators ?? []) {
      await trx.administrators.save({ username, passwordHash: await hashPassword(password), failedAttempts: 0, lockedUntil: null, createdAt: now, updatedAt: now });
    }
    for (const agreement of plan.agreements) {
      const pem = partnerKey(agreement.partner);
      await trx.agreements.insert({
        ...agreement,
        partnerPublicKey: pem,
        partnerKeyFingerprint: pem === null ? null : fingerprintOf(publicKeyFromPem(pem)),
        ...MADE_BEFOREHAND,
        updatedAt: now,
      });
    }
  });
}

export function grant(scope: ScopeGrant['scope'], restriction: Partial<Omit<ScopeGrant, 'scope'>> = {}): ScopeGrant {
  return { scope, organisations: restriction.organisations ?? null, groups: restriction.groups ?? null, services: restriction.services ?? null };
}
