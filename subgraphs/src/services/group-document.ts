/**
 * A joint group as a group document in the style of 3GPP group management (TS 24.481): a
 * `<list-service>` with the member entries and the group's MC service configuration; our own
 * elements (home system, members' home systems and security domains, services) in the
 * `urn:mcx-mutual-aid:joint-group:1` namespace. The format is described in docs/joint-groups.md.
 *
 * Parsing is defensive: documents over MAX_DOCUMENT_BYTES, with a DTD or entity declarations (so no
 * external entity is ever resolved), not well-formed, or with more than MAX_MEMBERS_PER_CHANGE
 * entries are refused with BAD_USER_INPUT.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import { MAX_MEMBERS_PER_CHANGE } from '../../../domain/groups.js';
import type { JointGroupConfig, JointMember } from '../../../domain/joint-groups.js';
import { MC_SERVICES, type McService } from '../../../domain/model.js';

export const MAX_DOCUMENT_BYTES = 1024 * 1024;

export const GROUP_DOCUMENT_NAMESPACES = {
  listService: 'urn:oma:xml:poc:list-service',
  mcpttGroupInfo: 'urn:3gpp:ns:mcpttGroupInfo:1.0',
  mcx: 'urn:mcx-mutual-aid:joint-group:1',
} as const;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The group document of a joint group's configuration and members. */
export function groupDocument(config: JointGroupConfig, members: JointMember[]): string {
  const entries = members
    .map((m) => {
      const domain = m.securityDomain ? `<mcx:security-domain>${escape(m.securityDomain)}</mcx:security-domain>` : '';
      return `      <entry uri="${escape(m.mcServiceId)}"><mcx:home-system>${escape(m.system)}</mcx:home-system>${domain}</entry>`;
    })
    .join('\n');
  const services = config.services.map((s) => `<mcx:service>${s}</mcx:service>`).join('');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<group xmlns="${GROUP_DOCUMENT_NAMESPACES.listService}" xmlns:mcpttgi="${GROUP_DOCUMENT_NAMESPACES.mcpttGroupInfo}" xmlns:mcx="${GROUP_DOCUMENT_NAMESPACES.mcx}">`,
    `  <list-service uri="${escape(config.groupId)}">`,
    `    <display-name xml:lang="en">${escape(config.name)}</display-name>`,
    '    <list>',
    ...(entries ? [entries] : []),
    '    </list>',
    `    <max-participant-count>${config.memberLimit}</max-participant-count>`,
    `    <mcpttgi:on-network-group-priority>${config.priority}</mcpttgi:on-network-group-priority>`,
    ...(config.disabled ? ['    <mcpttgi:on-network-disabled/>'] : []),
    `    <mcx:home-system>${escape(config.homeSystem)}</mcx:home-system>`,
    `    <mcx:services>${services}</mcx:services>`,
    '  </list-service>',
    '</group>',
    '',
  ].join('\n');
}

export interface ParsedGroupDocument {
  groupId: string;
  name: string;
  homeSystem: string | null;
  services: McService[];
  priority: number | null;
  memberLimit: number;
  disabled: boolean;
  /** Entries without a home system are taken as the importing system's users (system null). */
  members: Array<{ system: string | null; mcServiceId: string; securityDomain: string | null }>;
}

function invalid(reason: string): McxError {
  return new McxError(ErrorCode.BAD_USER_INPUT, `not a usable group document: ${reason}`, { field: 'document' });
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
  if (typeof value === 'object' && '#text' in (value as Record<string, unknown>)) return String((value as Record<string, unknown>)['#text']).trim();
  return null;
}

function integer(value: unknown, what: string): number | null {
  const raw = text(value);
  if (raw === null || raw === '') return null;
  if (!/^\d{1,9}$/.test(raw)) throw invalid(`${what} must be a whole number (is "${raw.slice(0, 20)}")`);
  return Number(raw);
}

/** Reads a group document; refuses oversized, entity-bearing or malformed ones. */
export function parseGroupDocument(document: string): ParsedGroupDocument {
  if (Buffer.byteLength(document, 'utf8') > MAX_DOCUMENT_BYTES) throw invalid(`larger than ${MAX_DOCUMENT_BYTES} bytes`);
  // No DTDs at all: external entities are never resolved, and internal ones cannot expand (billion laughs).
  if (/<!DOCTYPE/i.test(document) || /<!ENTITY/i.test(document)) throw invalid('DTDs and entity declarations are not accepted');
  const valid = XMLValidator.validate(document);
  if (valid !== true) throw invalid(`${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    // Only the five predefined entities remain possible (no DTD gets this far).
    processEntities: true,
    htmlEntities: false,
    parseTagValue: false,
    isArray: (name) => name === 'entry' || name === 'service',
  });
  const root = parser.parse(document) as Record<string, unknown>;
  const service = (root['group'] as Record<string, unknown> | undefined)?.['list-service'] as Record<string, unknown> | undefined;
  if (!service || typeof service !== 'object' || Array.isArray(service)) throw invalid('no <group><list-service> (exactly one)');
  const groupId = text(service['@uri']);
  if (!groupId) throw invalid('<list-service> needs a uri (the group ID)');
  const name = text(service['display-name']);
  if (!name) throw invalid('<display-name> is missing');
  const entries = ((service['list'] as Record<string, unknown> | undefined)?.['entry'] as unknown[] | undefined) ?? [];
  if (entries.length > MAX_MEMBERS_PER_CHANGE) throw invalid(`more than ${MAX_MEMBERS_PER_CHANGE} entries`);
  const members = entries.map((entry, index) => {
    const e = entry as Record<string, unknown>;
    const uri = text(e['@uri']);
    if (!uri) throw invalid(`entry ${index + 1} has no uri`);
    return { system: text(e['home-system']), mcServiceId: uri, securityDomain: text(e['security-domain']) };
  });
  const memberLimit = integer(service['max-participant-count'], '<max-participant-count>');
  if (memberLimit === null) throw invalid('<max-participant-count> (the member limit) is missing');
  const listed = ((service['services'] as Record<string, unknown> | undefined)?.['service'] as unknown[] | undefined) ?? [];
  const services = listed.map((s) => text(s) ?? '');
  const unknown = services.filter((s) => !(MC_SERVICES as readonly string[]).includes(s));
  if (unknown.length > 0) throw invalid(`unknown services ${unknown.slice(0, 3).join(', ')}`);
  return {
    groupId,
    name,
    homeSystem: text(service['home-system']),
    services: (services.length > 0 ? services : ['MCPTT']) as McService[],
    priority: integer(service['on-network-group-priority'], '<on-network-group-priority>'),
    memberLimit,
    disabled: 'on-network-disabled' in service,
    members,
  };
}
