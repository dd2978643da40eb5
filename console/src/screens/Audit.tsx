/** Audit: this system's log, filterable, exportable as CSV. */
import { useState } from 'react';
import { toCsv } from '../csv.js';
import { download } from '../download.js';
import { Choice, ErrorBanner, Section, TextField, useConsole, useQuery, when } from '../ui.js';

interface Entry {
  id: number;
  at: string;
  actorSystem: string;
  actorKind: string;
  actorSubject: string;
  action: string;
  target: string;
  result: string;
  code: string | null;
  detail: string | null;
}

const COLUMNS: Array<keyof Entry> = ['id', 'at', 'actorSystem', 'actorKind', 'actorSubject', 'action', 'target', 'result', 'code', 'detail'];

export function Audit() {
  const { system } = useConsole();
  const [result, setResult] = useState('');
  const [text, setText] = useState('');
  const [actor, setActor] = useState('');
  const q = useQuery<Record<string, { audit: Entry[] }>>(`{ ${system} { audit(limit: 500${result ? `, result: ${result}` : ''}) { ${COLUMNS.join(' ')} } } }`);
  const needle = text.trim().toLowerCase();
  const rows = (q.data?.[system]?.audit ?? []).filter(
    (e) => (!actor || e.actorSystem === actor) && (!needle || [e.action, e.target, e.actorSubject, e.code ?? '', e.detail ?? ''].some((v) => v.toLowerCase().includes(needle))),
  );
  const actors = [...new Set((q.data?.[system]?.audit ?? []).map((e) => e.actorSystem))].sort();
  const exportCsv = () => download(`${system}-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`, toCsv(COLUMNS, rows.map((e) => COLUMNS.map((c) => e[c]))));
  return (
    <Section
      title={`Audit (${rows.length})`}
      actions={
        <button type="button" onClick={exportCsv} disabled={rows.length === 0}>
          Export CSV
        </button>
      }
    >
      <div className="filters">
        <TextField label="Search" name="search" value={text} onChange={setText} placeholder="action, target, subject, code…" />
        <Choice label="Result" name="result" value={result} onChange={setResult} options={['OK', 'DENIED', 'FAILED']} empty="all" />
        <Choice label="Actor system" name="actor" value={actor} onChange={setActor} options={actors} empty="all" />
      </div>
      <ErrorBanner error={q.error} />
      <table className="table" aria-label="Audit entries">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>Result</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td>
              <td>
                {e.actorSubject} <span className="muted small">({e.actorKind} of {e.actorSystem})</span>
              </td>
              <td>{e.action}</td>
              <td className="small">{e.target}</td>
              <td>
                <span className={`status status-${e.result.toLowerCase()}`}>{e.result}</span> {e.code && <code>{e.code}</code>}
              </td>
              <td className="small">{e.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
