/**
 * The demo: three fictional MCX systems.
 * - north: fire and rescue; south: police; east: civil protection.
 * - north-south: ACTIVE, limited scopes both ways; north-east: PROPOSED by north; south-east: none.
 */
import type { SeedPlan } from './seed-plan.js';
import { grant, groupIdOf } from './seed-plan.js';

export const DEMO_SYSTEMS = {
  north: { name: 'North Fire & Rescue', domain: 'north.example' },
  south: { name: 'South Police', domain: 'south.example' },
  east: { name: 'East Civil Protection', domain: 'east.example' },
} as const;

export type DemoSlug = keyof typeof DEMO_SYSTEMS;

/** The demo's administrators, one per system, for the console: admin@<slug> with password <slug>-admin-demo. */
export function demoAdministrator(slug: string): { username: string; password: string } {
  return { username: `admin@${slug}`, password: `${slug}-admin-demo` };
}

const DAY = 86_400_000;

export function demoSeedPlan(slug: string, now = new Date()): SeedPlan | undefined {
  const validFrom = new Date(now.getTime() - 30 * DAY);
  const validUntil = new Date(now.getTime() + 365 * DAY);
  const north = DEMO_SYSTEMS.north.domain;
  // What north grants south: border station and fire service directory for MCPTT/MCDATA, the border group.
  const northToSouth = [
    grant('DIRECTORY_READ', { organisations: ['north-border', 'north-fire'], services: ['MCPTT', 'MCDATA'] }),
    grant('GROUP_CONFIG_READ', { groups: [groupIdOf(north, 'north-border', 'ops')] }),
    grant('MEMBERSHIP_UPDATE', { groups: [groupIdOf(north, 'north-border', 'ops')] }),
  ];
  // What south grants north: the border police unit, with contact data.
  const southToNorth = [
    grant('DIRECTORY_READ', { organisations: ['south-border'] }),
    grant('CONTACT_READ', { organisations: ['south-border'] }),
    grant('GROUP_CONFIG_READ', { organisations: ['south-border'] }),
  ];
  // What north offers east in its proposal.
  const northToEast = [grant('DIRECTORY_READ', { organisations: ['north-fire'] })];
  const groups = ['ops', 'command', 'data'];
  switch (slug) {
    case 'north':
      return {
        administrators: [demoAdministrator('north')],
        organisations: [
          { id: 'north-fire', name: 'North Fire Service', kind: 'fire', users: 14 },
          { id: 'north-border', name: 'North Border Fire Station', kind: 'fire', users: 12 },
          { id: 'north-ems', name: 'North Ambulance Service', kind: 'ambulance', users: 10 },
        ],
        groupsPerOrganisation: groups,
        agreements: [
          { partner: 'south', partnerName: DEMO_SYSTEMS.south.name, status: 'ACTIVE', validFrom, validUntil, grantedToPartner: northToSouth, grantedByPartner: southToNorth },
          { partner: 'east', partnerName: DEMO_SYSTEMS.east.name, status: 'PROPOSED', validFrom: null, validUntil: null, grantedToPartner: northToEast, grantedByPartner: [] },
        ],
      };
    case 'south':
      return {
        administrators: [demoAdministrator('south')],
        organisations: [
          { id: 'south-police', name: 'South Police Department', kind: 'police', users: 16 },
          { id: 'south-border', name: 'South Border Police', kind: 'police', users: 12 },
          { id: 'south-k9', name: 'South Police Dog Unit', kind: 'police', users: 6 },
        ],
        groupsPerOrganisation: groups,
        agreements: [
          { partner: 'north', partnerName: DEMO_SYSTEMS.north.name, status: 'ACTIVE', validFrom, validUntil, grantedToPartner: southToNorth, grantedByPartner: northToSouth },
        ],
      };
    case 'east':
      return {
        administrators: [demoAdministrator('east')],
        organisations: [
          { id: 'east-cp', name: 'East Civil Protection Agency', kind: 'civil-protection', users: 14 },
          { id: 'east-relief', name: 'East Humanitarian Relief', kind: 'humanitarian', users: 12 },
        ],
        groupsPerOrganisation: groups,
        agreements: [
          { partner: 'north', partnerName: DEMO_SYSTEMS.north.name, status: 'PROPOSED', validFrom: null, validUntil: null, grantedToPartner: [], grantedByPartner: northToEast },
        ],
      };
    default:
      return undefined;
  }
}
