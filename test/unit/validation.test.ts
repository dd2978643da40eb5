import { describe, expect, it } from 'vitest';
import { ErrorCode, httpStatusFor, isMcxError, McxError } from '../../domain/errors.js';
import type { ScopeGrant } from '../../domain/model.js';
import {
  MAX_MEMBER_LIMIT,
  validateEmail,
  validateGrants,
  validateKmsUri,
  validateMcServiceId,
  validateMemberLimit,
  validatePhone,
  validateServices,
  validateSlug,
  validateText,
} from '../../domain/validation.js';

function catchError(fn: () => unknown): McxError {
  try {
    fn();
  } catch (error) {
    expect(isMcxError(error)).toBe(true);
    return error as McxError;
  }
  throw new Error('expected the call to throw');
}

function expectBadInput(fn: () => unknown, field?: string): McxError {
  const error = catchError(fn);
  expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
  if (field !== undefined) expect(error.details).toEqual({ field });
  return error;
}

describe('validateSlug', () => {
  it.each(['ab', 'alpha', 'police_north', 'sys2', 'a1', 'a' + 'b'.repeat(30)])('accepts %s', (slug) => {
    expect(validateSlug(slug)).toBe(slug);
  });

  it.each([
    ['', 'empty'],
    ['a', 'one character'],
    ['a' + 'b'.repeat(31), '32 characters'],
    ['Alpha', 'upper case'],
    ['1alpha', 'starts with a digit'],
    ['_alpha', 'starts with _'],
    ['al-pha', 'contains -'],
    ['al pha', 'contains a space'],
    ['alpha\n', 'trailing newline'],
    ['alphä', 'non-ASCII'],
  ])('refuses %j (%s)', (slug) => {
    const error = expectBadInput(() => validateSlug(slug));
    expect(error.message).toContain(slug);
  });

  it.each(['query', 'mutation', 'subscription', 'service', 'entities'])('refuses the reserved name %s', (slug) => {
    expectBadInput(() => validateSlug(slug));
  });
});

describe('validateMcServiceId', () => {
  it.each(['sip:alice@alpha.example', 'sip:group.1@mcx.alpha-net.org', "sip:a_b~c!$&'()*+,;=%20-x@h", 'sip:x@localhost'])(
    'accepts %s',
    (id) => {
      expect(validateMcServiceId(id)).toBe(id);
    },
  );

  it.each([
    'alice@alpha.example',
    'sips:alice@alpha.example',
    'SIP:alice@alpha.example',
    'sip:@alpha.example',
    'sip:alice@',
    'sip:alice',
    'sip:al ice@alpha.example',
    'sip:alice@alpha example',
    'sip:alice@alpha.example\n',
    'sip:alice@alpha.example;transport=tcp',
    ' sip:alice@alpha.example',
    `sip:${'a'.repeat(65)}@alpha.example`,
    `sip:a@${'h'.repeat(191)}`,
  ])('refuses %j', (id) => {
    expectBadInput(() => validateMcServiceId(id), 'MC service ID');
  });

  it('accepts the longest user and host parts', () => {
    const id = `sip:${'a'.repeat(64)}@${'h'.repeat(190)}`;
    expect(validateMcServiceId(id)).toBe(id);
  });

  it('names the field given in the error', () => {
    const error = expectBadInput(() => validateMcServiceId('nope', 'groupId'), 'groupId');
    expect(error.message).toContain('groupId');
    expect(error.message).toContain('nope');
  });
});

describe('validateKmsUri', () => {
  it.each(['https://kms.alpha.example', 'http://kms.alpha.example:8080/path', 'https://10.0.0.1/kms?x=1'])('accepts %s', (uri) => {
    expect(validateKmsUri(uri)).toBe(uri);
  });

  it.each(['not a uri', '', 'kms.alpha.example', '//kms.alpha.example'])('refuses %j as not a URI', (uri) => {
    const error = expectBadInput(() => validateKmsUri(uri), 'securityDomain');
    expect(error.message).toContain('is not a URI');
  });

  it.each(['ftp://kms.alpha.example', 'sip:kms@alpha.example', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'refuses the non-http(s) URI %s',
    (uri) => {
      const error = expectBadInput(() => validateKmsUri(uri), 'securityDomain');
      expect(error.message).toContain('http(s)');
    },
  );
});

describe('validateEmail', () => {
  it('accepts null (no e-mail)', () => {
    expect(validateEmail(null)).toBeNull();
  });

  it.each(['ann@alpha.example', 'a.b+c@sub.alpha.org', 'x@y.io'])('accepts %s', (email) => {
    expect(validateEmail(email)).toBe(email);
  });

  it.each(['', 'ann', 'ann@', '@alpha.example', 'ann@alpha', 'ann@alpha.e', 'a nn@alpha.example', 'ann@@alpha.example', 'ann@alpha.example\n'])(
    'refuses %j',
    (email) => {
      expectBadInput(() => validateEmail(email), 'email');
    },
  );
});

describe('validatePhone', () => {
  it('accepts null (no phone)', () => {
    expect(validatePhone(null)).toBeNull();
  });

  it.each(['+4912345', '+441234567890', '+123456789012345'])('accepts %s', (phone) => {
    expect(validatePhone(phone)).toBe(phone);
  });

  it.each([
    ['', 'empty'],
    ['4912345678', 'without +'],
    ['+0123456789', 'country code starting with 0'],
    ['+123456', '6 digits'],
    ['+1234567890123456', '16 digits'],
    ['+49 123 4567', 'spaces'],
    ['+49-1234567', 'dash'],
    ['+4912345678\n', 'trailing newline'],
  ])('refuses %j (%s)', (phone) => {
    expectBadInput(() => validatePhone(phone), 'phone');
  });
});

describe('validateText', () => {
  it('returns the trimmed text', () => {
    expect(validateText('  Alpha Police  ', 'name')).toBe('Alpha Police');
  });

  it('refuses empty and whitespace-only text, naming the field', () => {
    expectBadInput(() => validateText('', 'name'), 'name');
    const error = expectBadInput(() => validateText(' \t\n ', 'displayName'), 'displayName');
    expect(error.message).toContain('displayName');
  });

  it('applies the default maximum of 200 characters after trimming', () => {
    expect(validateText('x'.repeat(200), 'name')).toHaveLength(200);
    expect(validateText(`  ${'x'.repeat(200)}  `, 'name')).toHaveLength(200);
    expectBadInput(() => validateText('x'.repeat(201), 'name'), 'name');
  });

  it('applies a custom maximum', () => {
    expect(validateText('abcde', 'code', 5)).toBe('abcde');
    const error = expectBadInput(() => validateText('abcdef', 'code', 5), 'code');
    expect(error.message).toContain('1 to 5');
  });
});

describe('validateServices', () => {
  it('accepts known services and removes duplicates, keeping first-seen order', () => {
    expect(validateServices(['MCDATA', 'MCPTT', 'MCDATA'])).toEqual(['MCDATA', 'MCPTT']);
  });

  it('accepts an empty list', () => {
    expect(validateServices([])).toEqual([]);
  });

  it('refuses unknown services, listing them and naming the field', () => {
    const error = expectBadInput(() => validateServices(['MCPTT', 'SMS', 'mcdata'], 'enabledServices'), 'enabledServices');
    expect(error.message).toContain('SMS');
    expect(error.message).toContain('mcdata');
    expect(error.message).not.toContain('MCPTT');
  });

  it('uses "services" as default field', () => {
    expectBadInput(() => validateServices(['VOICE']), 'services');
  });
});

describe('validateMemberLimit', () => {
  it('accepts whole numbers from 1 to MAX_MEMBER_LIMIT', () => {
    expect(MAX_MEMBER_LIMIT).toBe(10_000);
    expect(validateMemberLimit(1)).toBe(1);
    expect(validateMemberLimit(500)).toBe(500);
    expect(validateMemberLimit(MAX_MEMBER_LIMIT)).toBe(MAX_MEMBER_LIMIT);
  });

  it.each([0, -1, MAX_MEMBER_LIMIT + 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (limit) => {
    expectBadInput(() => validateMemberLimit(limit), 'memberLimit');
  });
});

describe('validateGrants', () => {
  const g = (scope: string, services: string[] | null = null): ScopeGrant =>
    ({ scope, organisations: null, groups: null, services }) as ScopeGrant;

  it('accepts a list with one grant per scope and returns it unchanged', () => {
    const grants = [g('DIRECTORY_READ'), g('CONTACT_READ', ['MCPTT']), g('AUDIT_READ', [])];
    expect(validateGrants(grants)).toBe(grants);
  });

  it('accepts an empty list', () => {
    expect(validateGrants([])).toEqual([]);
  });

  it('refuses an unknown scope', () => {
    const error = expectBadInput(() => validateGrants([g('DIRECTORY_READ'), g('EVERYTHING')]), 'scope');
    expect(error.message).toContain('EVERYTHING');
  });

  it('refuses a scope listed twice', () => {
    const error = expectBadInput(() => validateGrants([g('DIRECTORY_READ'), g('CONTACT_READ'), g('DIRECTORY_READ', ['MCPTT'])]), 'scope');
    expect(error.message).toContain('DIRECTORY_READ');
  });

  it('refuses an unknown service in a grant', () => {
    expectBadInput(() => validateGrants([g('DIRECTORY_READ', ['MCPTT', 'TETRA'])]), 'services');
  });
});

describe('errors', () => {
  it('McxError carries code, message, details and a name', () => {
    const error = new McxError(ErrorCode.CONFLICT, 'already there', { id: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('McxError');
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toBe('already there');
    expect(error.details).toEqual({ id: 1 });
    expect(isMcxError(error)).toBe(true);
    expect(isMcxError(new Error('x'))).toBe(false);
    expect(isMcxError({ code: 'CONFLICT' })).toBe(false);
  });

  it('maps codes to HTTP statuses', () => {
    for (const code of [
      ErrorCode.UNAUTHENTICATED,
      ErrorCode.TOKEN_INVALID,
      ErrorCode.TOKEN_EXPIRED,
      ErrorCode.TOKEN_WRONG_AUDIENCE,
      ErrorCode.TOKEN_UNKNOWN_ISSUER,
      ErrorCode.ASSERTION_UNTRUSTED,
    ]) {
      expect(httpStatusFor(code), code).toBe(401);
    }
    expect(httpStatusFor(ErrorCode.QUERY_TOO_LARGE)).toBe(413);
    expect(httpStatusFor(ErrorCode.BAD_USER_INPUT)).toBe(400);
    expect(httpStatusFor(ErrorCode.QUERY_TOO_DEEP)).toBe(400);
  });
});
