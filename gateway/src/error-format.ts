/**
 * What the gateway answers with errors: each has a stable code; nothing internal leaks (no stack,
 * no SQL, no upstream details). Field denials from the gateway and from subgraphs are merged into
 * one error per field.
 */
import type { ExecutionResult, GraphQLError } from 'graphql';
import { ErrorCode, httpStatusFor, type ErrorCode as Code } from '../../domain/errors.js';
import { formatDenial, type FieldDenials } from '../../common/field-denials.js';

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

export interface PlainError {
  message: string;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  path?: ReadonlyArray<string | number>;
  extensions: { code: string; [key: string]: unknown };
}

interface LooseError {
  message?: string;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
  originalError?: { errors?: unknown[]; code?: string; statusCode?: number; message?: string } & Partial<{ details: unknown }>;
}

function flatten(errors: readonly unknown[]): Array<{ error: LooseError; validation: boolean }> {
  const out: Array<{ error: LooseError; validation: boolean }> = [];
  const seen = new Set<unknown>();
  for (const raw of errors) {
    // A denied field's shared error stands once per denied value (compiled queries wrap it anew
    // each time, around the same original): keep it once.
    const identity = (raw as { originalError?: unknown }).originalError ?? raw;
    if (seen.has(identity)) continue;
    seen.add(identity);
    const error = raw as LooseError;
    if (Array.isArray(error.originalError?.errors)) {
      // mercurius validation errors, or a FederatedError carrying a subgraph's errors
      const validation = error.originalError?.code === 'MER_ERR_GQL_VALIDATION';
      for (const inner of error.originalError!.errors) out.push({ error: inner as LooseError, validation });
    } else if (Array.isArray(error.extensions?.errors)) {
      for (const inner of error.extensions!.errors as unknown[]) out.push({ error: inner as LooseError, validation: false });
    } else {
      out.push({ error, validation: false });
    }
  }
  return out;
}

const UNKNOWN_ROOT_FIELD = /^Cannot query field "([^"]+)" on type "(Query|Mutation)"\./;

function sanitize(error: LooseError, validation: boolean, knownSystems: () => string[]): PlainError {
  const base = {
    message: error.message ?? 'Error',
    ...(error.locations && { locations: error.locations }),
    ...(error.path && { path: error.path }),
  };
  const own = (error.originalError as { code?: string; details?: Record<string, unknown> } | undefined) ?? {};
  const code = (error.extensions?.code as string | undefined) ?? (own.code && KNOWN_CODES.has(own.code) ? own.code : undefined);
  if (code !== undefined && KNOWN_CODES.has(code)) {
    const { code: _code, ...rest } = error.extensions ?? {};
    return { ...base, extensions: { ...(own.details ?? {}), ...rest, code } };
  }
  const httpStatus = (error.originalError as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
    // Fastify's own refusals: body not JSON, too large, wrong content type ...
    return { message: base.message, extensions: { code: httpStatus === 413 ? ErrorCode.QUERY_TOO_LARGE : ErrorCode.BAD_REQUEST } };
  }
  if (/ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|UND_ERR_|other side closed|fetch failed/.test(base.message)) {
    return {
      message: 'the owning system cannot be reached at the moment',
      ...(base.path && { path: base.path }),
      extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE },
    };
  }
  if (base.message.startsWith('Syntax Error')) {
    return { message: base.message, ...(base.locations && { locations: base.locations }), extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } };
  }
  const unknownRoot = UNKNOWN_ROOT_FIELD.exec(base.message);
  if (validation && unknownRoot) {
    return {
      message: `Unknown MCX system "${unknownRoot[1]}". Systems composed here: ${knownSystems().join(', ') || 'none'}`,
      ...(base.locations && { locations: base.locations }),
      extensions: { code: ErrorCode.UNKNOWN_SYSTEM },
    };
  }
  if (validation || code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_USER_INPUT') {
    return { message: base.message, ...(base.locations && { locations: base.locations }), extensions: { code: code === 'BAD_USER_INPUT' ? code : ErrorCode.GRAPHQL_VALIDATION_FAILED } };
  }
  if (typeof error.message === 'string' && /^(Variable|Argument) /.test(error.message)) {
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  console.error('[gateway] internal error:', error.message);
  return { message: 'Internal error', ...(base.path && { path: base.path }), extensions: { code: ErrorCode.INTERNAL } };
}

/** Merges denials recorded at the gateway with FORBIDDEN_FIELD errors that subgraphs reported: one per field. */
export function mergeDenials(errors: PlainError[], gatewayDenials: FieldDenials | undefined): PlainError[] {
  const byField = new Map<string, PlainError>();
  const rest: PlainError[] = [];
  for (const denial of gatewayDenials?.list() ?? []) byField.set(denial.field, formatDenial(denial) as PlainError);
  for (const error of errors) {
    const field = error.extensions.code === ErrorCode.FORBIDDEN_FIELD ? error.extensions.field : undefined;
    if (typeof field !== 'string') rest.push(error);
    else if (!byField.has(field)) byField.set(field, error);
  }
  return [...rest, ...byField.values()];
}

export function createErrorFormatter(knownSystems: () => string[]) {
  return (execution: ExecutionResult & { statusCode?: number }, _context: unknown) => {
    const errors = flatten(execution.errors ?? []).map(({ error, validation }) => sanitize(error, validation, knownSystems));
    let statusCode = 200;
    if (!execution.data && errors.length > 0) {
      const code = errors[0]!.extensions.code as Code;
      statusCode = code === ErrorCode.INTERNAL ? 500 : httpStatusFor(code);
    }
    return { statusCode, response: { data: execution.data ?? null, errors: errors as unknown as GraphQLError[] } };
  };
}
