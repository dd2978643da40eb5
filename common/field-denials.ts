/**
 * Denied field values are reported once per field of the schema (e.g. User.phone), not once per
 * value: a list of 50 users whose phone is denied gives one error, with the number of values denied.
 * Used by the subgraphs and by the gateway, so both report denials the same way.
 */
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { ErrorCode } from '../domain/errors.js';

export interface FieldDenial {
  field: string;
  path: ReadonlyArray<string | number>;
  reason: string;
  count: number;
}

export interface FormattedDenial {
  message: string;
  path: ReadonlyArray<string | number>;
  extensions: { code: typeof ErrorCode.FORBIDDEN_FIELD; field: string; deniedValues: number };
}

export class FieldDenials {
  private readonly byField = new Map<string, FieldDenial>();

  /** Records that the field at `info` is denied to the caller; returns the null to resolve it to. */
  deny(info: GraphQLResolveInfo, reason: string): null {
    const field = `${info.parentType.name}.${info.fieldName}`;
    const known = this.byField.get(field);
    if (known) known.count += 1;
    else this.byField.set(field, { field, path: responsePathAsArray(info.path), reason, count: 1 });
    return null;
  }

  private readonly errors = new Map<string, GraphQLError>();

  /**
   * Records the denial and returns one GraphQLError per field, the same instance for every value:
   * it already has a path, so graphql-js reuses it instead of building an error per value.
   */
  located(info: GraphQLResolveInfo, reason: string): GraphQLError {
    this.deny(info, reason);
    const field = `${info.parentType.name}.${info.fieldName}`;
    let error = this.errors.get(field);
    if (error === undefined) {
      const denial = this.byField.get(field)!;
      error = new GraphQLError(`Access denied to ${field}: ${reason}`, {
        path: denial.path,
        extensions: { code: ErrorCode.FORBIDDEN_FIELD, field },
      });
      this.errors.set(field, error);
    }
    return error;
  }

  get size(): number {
    return this.byField.size;
  }

  list(): FieldDenial[] {
    return [...this.byField.values()];
  }

  toErrors(): FormattedDenial[] {
    return this.list().map(formatDenial);
  }
}

export function formatDenial(denial: FieldDenial): FormattedDenial {
  const values = denial.count === 1 ? '1 value' : `${denial.count} values`;
  return {
    message: `Access denied to ${denial.field} (${values}): ${denial.reason}`,
    path: denial.path,
    extensions: { code: ErrorCode.FORBIDDEN_FIELD, field: denial.field, deniedValues: denial.count },
  };
}
