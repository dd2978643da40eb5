/** Paging and limits shared by the listing use cases. */
import { ErrorCode, McxError } from '../../../domain/errors.js';

export const MAX_PAGE = 500;

export function pageSize(limit: number | null | undefined, offset: number | null | undefined): { limit: number; offset: number } {
  const l = limit ?? 100;
  const o = offset ?? 0;
  if (!Number.isInteger(l) || l < 1 || l > MAX_PAGE) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `limit must be from 1 to ${MAX_PAGE}`, { field: 'limit' });
  }
  if (!Number.isInteger(o) || o < 0) {
    throw new McxError(ErrorCode.BAD_USER_INPUT, 'offset must be 0 or more', { field: 'offset' });
  }
  return { limit: l, offset: o };
}

/**
 * One page of the rows a caller may see, when visibility cannot be expressed in the query (service
 * restrictions over JSON columns): reads the store in batches and pages over the visible rows.
 */
export async function pageOfVisible<T>(
  read: (batch: { limit: number; offset: number }) => Promise<T[]>,
  visible: (row: T) => boolean,
  page: { limit: number; offset: number },
): Promise<T[]> {
  const rows: T[] = [];
  let skipped = 0;
  for (let offset = 0; rows.length < page.limit; offset += MAX_PAGE) {
    const batch = await read({ limit: MAX_PAGE, offset });
    for (const row of batch) {
      if (!visible(row)) continue;
      if (skipped < page.offset) skipped++;
      else if (rows.length < page.limit) rows.push(row);
    }
    if (batch.length < MAX_PAGE) break;
  }
  return rows;
}
