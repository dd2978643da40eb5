/**
 * A visiting user's profile as an XML document in the style of the 3GPP MCPTT user profile
 * (TS 24.484, `mcptt-user-profile`): the elements named there for the user's identity, the groups
 * the user may use and the functional aliases, plus an `mcx:migration` extension (in this project's
 * namespace) for what migration adds: the home system, the validity and both security domains.
 * The format is described in docs/requests.md. Text is escaped; nothing here parses XML.
 */
import type { AuthorisationRecord } from '../store/migration-store.js';

const PROFILE_NS = 'urn:3gpp:mcptt:user-profile:1.0';
const MCX_NS = 'urn:mcx-mutual-aid:migration:1.0';

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const entries = (values: string[], indent: string) => values.map((v) => `${indent}<entry><uri-entry>${escape(v)}</uri-entry></entry>`).join('\n');

export function visitingProfileDocument(profile: AuthorisationRecord, host: { slug: string; securityDomain: string }): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<mcptt-user-profile xmlns="${PROFILE_NS}" xmlns:mcx="${MCX_NS}" XUI-URI="${escape(profile.mcServiceId)}" user-profile-index="1">`,
    `  <Name>${escape(profile.displayName)}</Name>`,
    `  <Status>${profile.status === 'ACTIVE' ? 'true' : 'false'}</Status>`,
    `  <ProfileName>${escape(`visiting ${host.slug}`)}</ProfileName>`,
    '  <Common>',
    `    <MCPTTUserID><uri-entry>${escape(profile.mcServiceId)}</uri-entry></MCPTTUserID>`,
    ...profile.aliases.map((alias) => `    <UserAlias><alias-entry><uri-entry>${escape(alias)}</uri-entry></alias-entry></UserAlias>`),
    '  </Common>',
    '  <OnNetwork>',
    '    <MCPTTGroupInfo>',
    entries(profile.groups, '      '),
    '    </MCPTTGroupInfo>',
    '  </OnNetwork>',
    `  <mcx:migration home-system="${escape(profile.partner)}" host-system="${escape(host.slug)}" request-id="${escape(profile.requestId)}">`,
    `    <mcx:valid-from>${profile.validFrom.toISOString()}</mcx:valid-from>`,
    `    <mcx:valid-until>${profile.validUntil.toISOString()}</mcx:valid-until>`,
    `    <mcx:home-security-domain>${escape(profile.securityDomain)}</mcx:home-security-domain>`,
    `    <mcx:host-security-domain>${escape(host.securityDomain)}</mcx:host-security-domain>`,
    ...profile.services.map((service) => `    <mcx:service name="${service}" enabled="${profile.enabledServices.includes(service)}"/>`),
    '  </mcx:migration>',
    '</mcptt-user-profile>',
  ];
  return `${lines.filter((line) => line !== '').join('\n')}\n`;
}
