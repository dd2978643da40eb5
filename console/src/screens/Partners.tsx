/** Partners: every agreement with its status, validity, fingerprints and the scopes both ways; its lifecycle; what this system grants. */
import { useState } from 'react';
import { str } from '../api.js';
import { ErrorBanner, list, Notice, ReasonAction, Section, TextField, useAction, useConsole, useQuery, Warnings, when } from '../ui.js';

export const SCOPES = ['DIRECTORY_READ', 'CONTACT_READ', 'GROUP_CONFIG_READ', 'MIGRATION_REQUEST', 'MEMBERSHIP_UPDATE', 'VISITOR_SERVICES_TOGGLE', 'SECURITY_PARAMS_EXCHANGE', 'AUDIT_READ'] as const;

export interface Grant {
  scope: string;
  organisations: string[] | null;
  groups: string[] | null;
  services: string[] | null;
}

interface Agreement {
  partnerSystem: string;
  partnerName: string;
  status: string;
  validFrom: string | null;
  validUntil: string | null;
  partnerKeyFingerprint: string | null;
  fingerprintConfirmed: boolean;
  proposedBy: string | null;
  resumeRequestedBy: string | null;
  statusReason: string | null;
  grantedToPartner: Grant[];
  grantedByPartner: Grant[];
}

const GRANT_FIELDS = 'scope organisations groups services';
const AGREEMENT_FIELDS = `partnerSystem partnerName status validFrom validUntil partnerKeyFingerprint fingerprintConfirmed proposedBy resumeRequestedBy statusReason grantedToPartner { ${GRANT_FIELDS} } grantedByPartner { ${GRANT_FIELDS} }`;

/** Grants as a GraphQL input literal. */
export function grantsLiteral(grants: Grant[]): string {
  const listOf = (values: string[] | null) => (values === null ? 'null' : `[${values.map(str).join(', ')}]`);
  const enums = (values: string[] | null) => (values === null ? 'null' : `[${values.join(', ')}]`);
  return `[${grants.map((g) => `{ scope: ${g.scope}, organisations: ${listOf(g.organisations)}, groups: ${listOf(g.groups)}, services: ${enums(g.services)} }`).join(' ')}]`;
}

function GrantList({ grants }: { grants: Grant[] }) {
  if (grants.length === 0) return <span className="muted">nothing</span>;
  return (
    <ul className="grants">
      {grants.map((g) => (
        <li key={g.scope}>
          <strong>{g.scope}</strong> <span className="muted">orgs {list(g.organisations)} · groups {list(g.groups)} · services {list(g.services)}</span>
        </li>
      ))}
    </ul>
  );
}

const split = (text: string): string[] | null => (text.trim() === '' ? null : text.split(',').map((s) => s.trim()).filter(Boolean));

/** Edits a list of grants: a row per scope; blank restrictions mean "all". */
export function GrantsEditor({ initial, onSubmit, submitLabel, busy }: { initial: Grant[]; onSubmit: (grants: Grant[]) => void; submitLabel: string; busy: boolean }) {
  const [rows, setRows] = useState(() =>
    SCOPES.map((scope) => {
      const g = initial.find((x) => x.scope === scope);
      return { scope, on: g !== undefined, organisations: g?.organisations?.join(', ') ?? '', groups: g?.groups?.join(', ') ?? '', services: g?.services?.join(', ') ?? '' };
    }),
  );
  const set = (i: number, patch: Partial<(typeof rows)[number]>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  return (
    <form
      className="grants-editor"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(rows.filter((r) => r.on).map((r) => ({ scope: r.scope, organisations: split(r.organisations), groups: split(r.groups), services: split(r.services)?.map((s) => s.toUpperCase()) ?? null })));
      }}
    >
      <table>
        <thead>
          <tr>
            <th>Scope</th>
            <th>Organisations (blank: all)</th>
            <th>Groups (blank: all)</th>
            <th>Services (blank: all)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={row.scope}>
              <td>
                <label>
                  <input type="checkbox" checked={row.on} onChange={(e) => set(i, { on: e.target.checked })} /> {row.scope}
                </label>
              </td>
              <td>
                <input aria-label={`${row.scope} organisations`} value={row.organisations} disabled={!row.on} onChange={(e) => set(i, { organisations: e.target.value })} />
              </td>
              <td>
                <input aria-label={`${row.scope} groups`} value={row.groups} disabled={!row.on} onChange={(e) => set(i, { groups: e.target.value })} />
              </td>
              <td>
                <input aria-label={`${row.scope} services`} value={row.services} disabled={!row.on} onChange={(e) => set(i, { services: e.target.value })} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}

function AgreementCard({ agreement }: { agreement: Agreement }) {
  const { api, system } = useConsole();
  const action = useAction();
  const [editing, setEditing] = useState<null | 'grants' | 'accept'>(null);
  const [fingerprint, setFingerprint] = useState('');
  const partner = agreement.partnerSystem;
  const mutate = (field: string, done: string) => action.run(() => api.mutate(`mutation { ${system} { ${field} { status } } }`), done);
  const s = agreement.status;
  return (
    <article className="card" aria-label={`Agreement with ${partner}`}>
      <header className="card-head">
        <h3>
          {agreement.partnerName} <code>{partner}</code>
        </h3>
        <span className={`status status-${s.toLowerCase()}`}>{s}</span>
      </header>
      <dl className="facts">
        <dt>Valid</dt>
        <dd>
          {when(agreement.validFrom)} – {when(agreement.validUntil)}
        </dd>
        <dt>Partner key</dt>
        <dd>
          <code>{agreement.partnerKeyFingerprint ?? 'unknown'}</code> {agreement.fingerprintConfirmed ? '✓ confirmed' : '(not confirmed)'}
        </dd>
        <dt>Proposed by</dt>
        <dd>{agreement.proposedBy ?? 'made beforehand'}</dd>
        {agreement.statusReason && (
          <>
            <dt>Reason</dt>
            <dd>{agreement.statusReason}</dd>
          </>
        )}
        {agreement.resumeRequestedBy && (
          <>
            <dt>Resume asked by</dt>
            <dd>{agreement.resumeRequestedBy}</dd>
          </>
        )}
        <dt>We grant {partner}</dt>
        <dd>
          <GrantList grants={agreement.grantedToPartner} />
        </dd>
        <dt>{partner} grants us</dt>
        <dd>
          <GrantList grants={agreement.grantedByPartner} />
        </dd>
      </dl>
      <div className="actions">
        {s === 'PROPOSED' && !agreement.fingerprintConfirmed && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void mutate(`confirmPartnerFingerprint(partner: ${str(partner)}, fingerprint: ${str(fingerprint)})`, 'Fingerprint confirmed.');
            }}
          >
            <TextField label="Fingerprint read out by the partner" value={fingerprint} onChange={setFingerprint} required />
            <button type="submit" disabled={action.busy}>
              Confirm fingerprint
            </button>
          </form>
        )}
        {s === 'PROPOSED' && agreement.proposedBy !== system && (
          <>
            <button type="button" onClick={() => setEditing(editing === 'accept' ? null : 'accept')} disabled={action.busy}>
              Accept…
            </button>
            <ReasonAction label="Decline" busy={action.busy} onSubmit={(reason) => void mutate(`declineAgreement(partner: ${str(partner)}, reason: ${str(reason)})`, 'Declined.')} />
          </>
        )}
        {s === 'ACTIVE' && <ReasonAction label="Suspend" busy={action.busy} onSubmit={(reason) => void mutate(`suspendAgreement(partner: ${str(partner)}, reason: ${str(reason)})`, 'Suspended.')} />}
        {s === 'SUSPENDED' && agreement.resumeRequestedBy !== system && (
          <button type="button" onClick={() => void mutate(`resumeAgreement(partner: ${str(partner)})`, 'Resume sent.')} disabled={action.busy}>
            Resume
          </button>
        )}
        {['ACTIVE', 'SUSPENDED', 'PROPOSED'].includes(s) && (
          <ReasonAction label="Terminate" danger busy={action.busy} onSubmit={(reason) => void mutate(`terminateAgreement(partner: ${str(partner)}, reason: ${str(reason)})`, 'Terminated.')} />
        )}
        {['ACTIVE', 'SUSPENDED'].includes(s) && (
          <button type="button" onClick={() => setEditing(editing === 'grants' ? null : 'grants')} disabled={action.busy}>
            Edit what we grant…
          </button>
        )}
      </div>
      {editing === 'grants' && (
        <GrantsEditor
          initial={agreement.grantedToPartner}
          busy={action.busy}
          submitLabel="Save grants"
          onSubmit={(grants) => void action.run(() => api.mutate(`mutation { ${system} { setAgreementGrants(partner: ${str(partner)}, grants: ${grantsLiteral(grants)}) { status } } }`), 'Grants saved; the partner is told.').then((ok) => ok && setEditing(null))}
        />
      )}
      {editing === 'accept' && (
        <GrantsEditor
          initial={[]}
          busy={action.busy}
          submitLabel="Accept with these grants"
          onSubmit={(grants) => void action.run(() => api.mutate(`mutation { ${system} { acceptAgreement(partner: ${str(partner)}, grants: ${grantsLiteral(grants)}) { status } } }`), 'Accepted.').then((ok) => ok && setEditing(null))}
        />
      )}
      <ErrorBanner error={action.error} />
      <Notice text={action.notice} />
    </article>
  );
}

function Propose() {
  const { api, system } = useConsole();
  const action = useAction();
  const [open, setOpen] = useState(false);
  const [partner, setPartner] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Propose an agreement…
      </button>
    );
  }
  return (
    <div className="card">
      <h3>Propose an agreement</h3>
      <TextField label="Partner system (slug)" value={partner} onChange={setPartner} required />
      <TextField label="Partner's key fingerprint (read out over the phone)" value={fingerprint} onChange={setFingerprint} required />
      <GrantsEditor
        initial={[]}
        busy={action.busy}
        submitLabel="Propose"
        onSubmit={(grants) =>
          void action.run(() => api.mutate(`mutation { ${system} { proposeAgreement(partner: ${str(partner)}, partnerFingerprint: ${str(fingerprint)}, grants: ${grantsLiteral(grants)}) { status } } }`), 'Proposal sent.').then((ok) => ok && setOpen(false))
        }
      />
      <ErrorBanner error={action.error} />
      <Notice text={action.notice} />
    </div>
  );
}

export function Partners() {
  const { system } = useConsole();
  const q = useQuery<Record<string, { publicKeyFingerprint: string; agreements: Agreement[] }>>(`{ ${system} { publicKeyFingerprint agreements { ${AGREEMENT_FIELDS} } } }`);
  const me = q.data?.[system];
  return (
    <Section title="Partners" actions={<Propose />}>
      <p>
        Our key fingerprint (read it out to partners): <code>{me?.publicKeyFingerprint ?? '…'}</code>
      </p>
      <ErrorBanner error={q.error} />
      <Warnings warnings={q.warnings} />
      {me && me.agreements.length === 0 && <p className="muted">No agreements yet.</p>}
      {me?.agreements.map((a) => <AgreementCard key={a.partnerSystem} agreement={a} />)}
    </Section>
  );
}
