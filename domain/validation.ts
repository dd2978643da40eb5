/** Input validation shared by every entry point. Pure: no GraphQL, no database. */
import { ErrorCode, McxError } from './errors.js';
import { ACCESS_SCOPES, MC_SERVICES, type AccessScope, type McService, type ScopeGrant } from './model.js';

/** A system slug is also a GraphQL root field name, so it must be a valid, lower-case GraphQL name. */
const SLUG = /^[a-z][a-z0-9_]{1,30}$/;
const RESERVED_SLUGS = new Set(['query', 'mutation', 'subscription', 'service', 'entities']);

export function validateSlug(slug: string): string {
  if (!SLUG.test(slug) || RESERVED_SLUGS.has(slug)) {
    throw new McxError(
      ErrorCode.BAD_USER_INPUT,
      `"${slug}" is not a valid system slug: 2-31 characters, lower-case letters, digits and _, starting with a letter`,
    );
  }
  return slug;
}

/** MC service IDs and group IDs are SIP URIs: sip:user@host. */
const SIP_URI = /^sip:[A-Za-z0-9._~!$&'()*+,;=%-]{1,64}@[A-Za-z0-9.-]{1,190}$/;

export function validateMcServiceId(value: string, field = 'MC service ID'): string {
  if (!SIP_URI.test(value)) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `${field} "${value}" is not a SIP URI of the form sip:name@domain`, { field });
  }
  return value;
}

export function validateKmsUri(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `security domain "${value}" is not a URI`, { field: 'securityDomain' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `security domain "${value}" must be an http(s) KMS URI`, { field: 'securityDomain' });
  }
  return value;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;
const PHONE = /^\+[1-9][0-9]{6,14}$/;

export function validateEmail(value: string | null): string | null {
  if (value !== null && !EMAIL.test(value)) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `"${value}" is not an e-mail address`, { field: 'email' });
  }
  return value;
}

export function validatePhone(value: string | null): string | null {
  if (value !== null && !PHONE.test(value)) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `"${value}" is not a phone number in E.164 form (+ and 7-15 digits)`, { field: 'phone' });
  }
  return value;
}

export function validateText(value: string, field: string, max = 200): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `${field} must have 1 to ${max} characters`, { field });
  }
  return trimmed;
}

export function validateServices(services: string[], field = 'services'): McService[] {
  const unknown = services.filter((s) => !(MC_SERVICES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `unknown MC service(s): ${unknown.join(', ')}`, { field });
  }
  return [...new Set(services)] as McService[];
}

export const MAX_MEMBER_LIMIT = 10_000;

export function validateMemberLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MEMBER_LIMIT) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `member limit must be a whole number from 1 to ${MAX_MEMBER_LIMIT}`, { field: 'memberLimit' });
  }
  return limit;
}

/** A list of grants: one entry per scope, known scopes and services. */
export function validateGrants(grants: ScopeGrant[]): ScopeGrant[] {
  const seen = new Set<AccessScope>();
  for (const grant of grants) {
    if (!(ACCESS_SCOPES as readonly string[]).includes(grant.scope)) {
      throw new McxError(ErrorCode.BAD_USER_INPUT, `unknown scope ${grant.scope}`, { field: 'scope' });
    }
    if (seen.has(grant.scope)) {
      throw new McxError(ErrorCode.BAD_USER_INPUT, `scope ${grant.scope} is listed twice`, { field: 'scope' });
    }
    seen.add(grant.scope);
    if (grant.services !== null) validateServices(grant.services);
  }
  return grants;
}

/** Why an agreement is declined, suspended or terminated: said to the partner and kept in both audit logs. */
export function validateReason(reason: string): string {
  return validateText(reason, 'reason', 500);
}

/** A key fingerprint as people read it out: groups and case do not matter. */
export function normaliseFingerprint(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase();
}
