/** JSON text columns and ISO timestamps, stored the same way on SQLite and PostgreSQL. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function toTimestamp(date: Date): string {
  return date.toISOString();
}

export function fromTimestamp(text: string): Date;
export function fromTimestamp(text: string | null): Date | null;
export function fromTimestamp(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}
