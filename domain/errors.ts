/**
 * Typed errors with stable codes. Every error a caller can see is an McxError; anything else is
 * reported as INTERNAL without details (no stack traces, no SQL).
 */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_WRONG_AUDIENCE: 'TOKEN_WRONG_AUDIENCE',
  TOKEN_UNKNOWN_ISSUER: 'TOKEN_UNKNOWN_ISSUER',
  ASSERTION_UNTRUSTED: 'ASSERTION_UNTRUSTED',
  FORBIDDEN: 'FORBIDDEN',
  FORBIDDEN_FIELD: 'FORBIDDEN_FIELD',
  FORBIDDEN_PARTNER_VIEW: 'FORBIDDEN_PARTNER_VIEW',
  UNKNOWN_SYSTEM: 'UNKNOWN_SYSTEM',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  MEMBER_LIMIT_REACHED: 'MEMBER_LIMIT_REACHED',
  GROUP_DISABLED: 'GROUP_DISABLED',
  GROUP_DISSOLVED: 'GROUP_DISSOLVED',
  GROUP_ID_CLASH: 'GROUP_ID_CLASH',
  NOT_GROUP_HOME: 'NOT_GROUP_HOME',
  NOT_PARTICIPANT: 'NOT_PARTICIPANT',
  FOREIGN_MEMBER: 'FOREIGN_MEMBER',
  BAD_REQUEST: 'BAD_REQUEST',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  QUERY_TOO_LARGE: 'QUERY_TOO_LARGE',
  INTROSPECTION_ONLY: 'INTROSPECTION_ONLY',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  RATE_LIMITED: 'RATE_LIMITED',
  MESSAGE_INVALID: 'MESSAGE_INVALID',
  MESSAGE_STALE: 'MESSAGE_STALE',
  MESSAGE_REPLAYED: 'MESSAGE_REPLAYED',
  FEED_GAP: 'FEED_GAP',
  PARTNER_KEY_UNKNOWN: 'PARTNER_KEY_UNKNOWN',
  PARTNER_KEY_MISMATCH: 'PARTNER_KEY_MISMATCH',
  MESSAGE_OUT_OF_ORDER: 'MESSAGE_OUT_OF_ORDER',
  AGREEMENT_STATE_INVALID: 'AGREEMENT_STATE_INVALID',
  AGREEMENT_TERMINATED: 'AGREEMENT_TERMINATED',
  FINGERPRINT_NOT_CONFIRMED: 'FINGERPRINT_NOT_CONFIRMED',
  FINGERPRINT_MISMATCH: 'FINGERPRINT_MISMATCH',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class McxError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'McxError';
    this.code = code;
    this.details = details;
  }
}

export function isMcxError(error: unknown): error is McxError {
  return error instanceof McxError;
}

/** HTTP status that goes with a code when an error ends a whole request (not a single field). */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.TOKEN_INVALID:
    case ErrorCode.TOKEN_EXPIRED:
    case ErrorCode.TOKEN_WRONG_AUDIENCE:
    case ErrorCode.TOKEN_UNKNOWN_ISSUER:
    case ErrorCode.ASSERTION_UNTRUSTED:
      return 401;
    case ErrorCode.QUERY_TOO_LARGE:
      return 413;
    case ErrorCode.SUBGRAPH_UNAVAILABLE:
      return 503;
    case ErrorCode.RATE_LIMITED:
      return 429;
    default:
      return 400;
  }
}
