/** Small builders and assertions shared by the unit tests. */
import { expect } from 'vitest';
import { MADE_BEFOREHAND } from '../../domain/agreement.js';
import { McxError, type ErrorCode } from '../../domain/errors.js';
import type { AccessScope, AgreementRecord, ScopeGrant } from '../../domain/model.js';

export function grant(scope: AccessScope, restrictions: Partial<Omit<ScopeGrant, 'scope'>> = {}): ScopeGrant {
  return { scope, organisations: null, groups: null, services: null, ...restrictions };
}

/** An active agreement with partner "beta", without grants, unless overridden. */
export function agreement(overrides: Partial<AgreementRecord> = {}): AgreementRecord {
  return {
    partner: 'beta',
    partnerName: 'Beta',
    status: 'ACTIVE',
    validFrom: null,
    validUntil: null,
    partnerKeyFingerprint: null,
    partnerPublicKey: null,
    grantedToPartner: [],
    grantedByPartner: [],
    ...MADE_BEFOREHAND,
    updatedAt: new Date('2025-06-01T12:00:00Z'),
    ...overrides,
  };
}

function expectCode(caught: unknown, code: ErrorCode): McxError {
  expect(caught, `expected ${code}`).toBeInstanceOf(McxError);
  expect((caught as McxError).code).toBe(code);
  return caught as McxError;
}

export async function expectMcxError(promise: Promise<unknown>, code: ErrorCode): Promise<McxError> {
  try {
    await promise;
  } catch (error) {
    return expectCode(error, code);
  }
  return expectCode(undefined, code);
}

export function expectMcxErrorSync(fn: () => unknown, code: ErrorCode): McxError {
  try {
    fn();
  } catch (error) {
    return expectCode(error, code);
  }
  return expectCode(undefined, code);
}
