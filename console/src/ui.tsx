/** Small building blocks shared by the screens: reading through the API, showing errors, forms. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError, type Api, type GraphQLErrorBody } from './api.js';
import type { LiveState } from './live.js';

export interface ConsoleContext {
  api: Api;
  system: string;
  subject: string;
  live: LiveState;
}

export const Console = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const context = useContext(Console);
  if (!context) throw new Error('outside the console');
  return context;
}

export interface Loaded<T> {
  data: T | null;
  /** Field-level errors that came with the data. */
  warnings: GraphQLErrorBody[];
  error: ApiError | null;
  loading: boolean;
}

/** Reads `query` now, whenever `deps` change, and on every live update. */
export function useQuery<T>(query: string | null, variables: Record<string, unknown> = {}, deps: unknown[] = []): Loaded<T> {
  const { api, live } = useConsole();
  const [state, setState] = useState<Loaded<T>>({ data: null, warnings: [], error: null, loading: true });
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (query === null) return;
    let stale = false;
    setState((s) => ({ ...s, loading: true }));
    api
      .request<T>(query, variables)
      .then(({ data, errors }) => !stale && setState({ data, warnings: errors, error: null, loading: false }))
      .catch((error: unknown) => !stale && setState((s) => ({ ...s, error: asApiError(error), loading: false })));
    return () => {
      stale = true;
    };
  }, [api, query, key, live.tick, ...deps]);
  return state;
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(error instanceof Error ? error.message : String(error), 'CONSOLE');
}

export function ErrorBanner({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong> <code>{error.code}</code>
    </div>
  );
}

export function Warnings({ warnings }: { warnings: GraphQLErrorBody[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="warnings" aria-label="Partly shown">
      {warnings.map((w, i) => (
        <li key={i}>{w.message}</li>
      ))}
    </ul>
  );
}

/** Runs a mutation from a button or form: busy while it runs, its error shown, the screens read again after it. */
export function useAction(): { run: (work: () => Promise<unknown>, done?: string) => Promise<boolean>; busy: boolean; error: ApiError | null; notice: string | null } {
  const { live } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = useCallback(
    async (work: () => Promise<unknown>, done?: string) => {
      setBusy(true);
      setError(null);
      setNotice(null);
      try {
        await work();
        setNotice(done ?? null);
        live.refresh();
        return true;
      } catch (e) {
        setError(asApiError(e));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [live],
  );
  return { run, busy, error, notice };
}

export function Notice({ text }: { text: string | null }) {
  return text ? (
    <div className="notice" role="status">
      {text}
    </div>
  ) : null;
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section aria-label={title}>
      <header className="section-head">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export { list, when } from './format.js';

/** Text input bound to state, with its label. */
export function TextField(props: { label: string; value: string; onChange: (v: string) => void; type?: string; placeholder?: string; required?: boolean; name?: string; autoComplete?: string }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input name={props.name} autoComplete={props.autoComplete} type={props.type ?? 'text'} value={props.value} placeholder={props.placeholder} required={props.required} onChange={(e) => props.onChange(e.target.value)} />
    </label>
  );
}

/** A labelled drop-down; options are values, or values with labels; `empty` adds a first option with no value. */
export function Choice(props: { label: string; value: string; onChange: (v: string) => void; options: Array<string | { value: string; label: string }>; empty?: string; inline?: boolean; name?: string; required?: boolean }) {
  return (
    <label className={props.inline ? 'field inline' : 'field'}>
      <span>{props.label}</span>
      <select name={props.name} value={props.value} required={props.required} onChange={(e) => props.onChange(e.target.value)}>
        {props.empty !== undefined && <option value="">{props.empty}</option>}
        {props.options.map((o) => {
          const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={value} value={value}>
              {label}
            </option>
          );
        })}
      </select>
    </label>
  );
}

export const SERVICES = ['MCPTT', 'MCDATA', 'MCVIDEO'] as const;

export function ServicePicker({ value, onChange, label = 'Services' }: { value: string[]; onChange: (v: string[]) => void; label?: string }) {
  return (
    <fieldset className="inline">
      <legend>{label}</legend>
      {SERVICES.map((s) => (
        <label key={s}>
          <input type="checkbox" checked={value.includes(s)} onChange={(e) => onChange(e.target.checked ? [...value, s] : value.filter((x) => x !== s))} /> {s}
        </label>
      ))}
    </fieldset>
  );
}

/** A button that asks for a reason (prompt-free: an inline field), then runs. */
export function ReasonAction({ label, onSubmit, busy, danger }: { label: string; onSubmit: (reason: string) => void; busy: boolean; danger?: boolean }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  if (!open) {
    return (
      <button type="button" className={danger ? 'danger' : ''} onClick={() => setOpen(true)} disabled={busy}>
        {label}…
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(reason);
        setOpen(false);
        setReason('');
      }}
    >
      <TextField label={`Reason to ${label.toLowerCase()}`} value={reason} onChange={setReason} required />
      <button type="submit" className={danger ? 'danger' : ''} disabled={busy || reason.trim() === ''}>
        {label}
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
