/** How the console writes dates and lists. Pure (tested alone). */
export function when(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function list(values: string[] | null | undefined, all = 'all'): string {
  if (values === null || values === undefined) return all;
  return values.length === 0 ? 'none' : values.join(', ');
}
