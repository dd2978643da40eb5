/** Visitors: partners' users migrated here and this system's users migrated elsewhere; expiry, revoke, services now or later; asking a partner to authorise users. */
import { useState } from 'react';
import { str } from '../api.js';
import { Choice, ErrorBanner, list, Notice, ReasonAction, Section, ServicePicker, TextField, useAction, useConsole, useQuery, Warnings, when } from '../ui.js';

interface Authorisation {
  partner: string;
  userId: string;
  displayName: string;
  organisationId: string;
  mcServiceId: string;
  services: string[];
  enabledServices: string[];
  validFrom: string;
  validUntil: string;
  status: string;
}

const FIELDS = 'partner userId displayName organisationId mcServiceId services enabledServices validFrom validUntil status';

function ServicesChange({ a }: { a: Authorisation }) {
  const { api, system } = useConsole();
  const action = useAction();
  const [open, setOpen] = useState(false);
  const [enabled, setEnabled] = useState<string[]>(a.enabledServices);
  const [at, setAt] = useState('');
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Services…
      </button>
    );
  }
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const when = at ? `, at: ${str(new Date(at).toISOString())}` : '';
        void action
          .run(() => api.mutate(`mutation { ${system} { setVisitorServices(partner: ${str(a.partner)}, userIds: [${str(a.userId)}], enabled: [${enabled.join(', ')}]${when}) { changed { userId } scheduled { id } } } }`), at ? 'Scheduled.' : 'Services changed.')
          .then((ok) => ok && setOpen(false));
      }}
    >
      <ServicePicker label="Enabled (of those authorised)" value={enabled} onChange={setEnabled} />
      <TextField label="At (blank: now)" type="datetime-local" value={at} onChange={setAt} />
      <button type="submit" disabled={action.busy}>
        Apply
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorBanner error={action.error} />
      <Notice text={action.notice} />
    </form>
  );
}

function VisitorRow({ a, inbound }: { a: Authorisation; inbound: boolean }) {
  const { api, system } = useConsole();
  const action = useAction();
  const active = a.status === 'ACTIVE';
  return (
    <tr aria-label={`${inbound ? 'Visitor' : 'Our user'} ${a.userId}`}>
      <td>
        <strong>{a.displayName}</strong>
        <div className="muted small">
          {a.userId} · {a.mcServiceId}
        </div>
      </td>
      <td>{a.partner}</td>
      <td>{a.organisationId}</td>
      <td>
        {list(a.enabledServices)} <span className="muted">of {list(a.services)}</span>
      </td>
      <td>{when(a.validUntil)}</td>
      <td>
        <span className={`status status-${a.status.toLowerCase()}`}>{a.status}</span>
      </td>
      <td className="actions">
        {active && inbound && (
          <>
            <ServicesChange a={a} />
            <ReasonAction label="Revoke" danger busy={action.busy} onSubmit={(reason) => void action.run(() => api.mutate(`mutation { ${system} { revokeMigration(partner: ${str(a.partner)}, userIds: [${str(a.userId)}], reason: ${str(reason)}) { userId } } }`), 'Revoked; the home system is told.')} />
          </>
        )}
        {active && !inbound && (
          <button type="button" disabled={action.busy} onClick={() => void action.run(() => api.mutate(`mutation { ${system} { requestMigrationRemoval(partner: ${str(a.partner)}, userIds: [${str(a.userId)}]) { id } } }`), 'Removal asked for.')}>
            Ask to remove
          </button>
        )}
        <ErrorBanner error={action.error} />
        <Notice text={action.notice} />
      </td>
    </tr>
  );
}

function Authorisations({ direction, status }: { direction: 'INBOUND' | 'OUTBOUND'; status: string }) {
  const { system } = useConsole();
  const q = useQuery<Record<string, { migrationAuthorisations: Authorisation[] }>>(`{ ${system} { migrationAuthorisations(direction: ${direction}${status ? `, status: ${str(status)}` : ''}, limit: 500) { ${FIELDS} } } }`);
  const rows = q.data?.[system]?.migrationAuthorisations ?? [];
  return (
    <>
      <ErrorBanner error={q.error} />
      <Warnings warnings={q.warnings} />
      {rows.length === 0 ? (
        <p className="muted">{direction === 'INBOUND' ? 'No visitors.' : 'None of our users are authorised elsewhere.'}</p>
      ) : (
        <table className="table" aria-label={direction === 'INBOUND' ? 'Visitors here' : 'Our users elsewhere'}>
          <thead>
            <tr>
              <th>User</th>
              <th>{direction === 'INBOUND' ? 'Home system' : 'At'}</th>
              <th>Organisation</th>
              <th>Services enabled</th>
              <th>Until</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <VisitorRow key={`${a.partner}:${a.userId}`} a={a} inbound={direction === 'INBOUND'} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function RequestMigration() {
  const { api, system } = useConsole();
  const action = useAction();
  const [open, setOpen] = useState(false);
  const [partner, setPartner] = useState('');
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [services, setServices] = useState<string[]>(['MCPTT']);
  const [until, setUntil] = useState(() => new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
  const agreements = useQuery<Record<string, { agreements: Array<{ partnerSystem: string; status: string }> }>>(open ? `{ ${system} { agreements { partnerSystem status } } }` : null);
  const users = useQuery<Record<string, { users: Array<{ id: string; displayName: string; organisation: { name: string } }> }>>(
    open ? `{ ${system} { users(search: ${str(search)}, limit: 50) { id displayName organisation { name } } } }` : null,
    {},
    [search],
  );
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Ask a partner to authorise our users…
      </button>
    );
  }
  const partners = (agreements.data?.[system]?.agreements ?? []).filter((a) => a.status === 'ACTIVE').map((a) => a.partnerSystem);
  return (
    <form
      className="card"
      aria-label="Request migration"
      onSubmit={(e) => {
        e.preventDefault();
        void action
          .run(
            () => api.mutate(`mutation { ${system} { requestMigration(partner: ${str(partner)}, userIds: [${chosen.map(str).join(', ')}], services: [${services.join(', ')}], validUntil: ${str(new Date(`${until}T23:59:00`).toISOString())}) { id status } } }`),
            'Request sent; the partner decides.',
          )
          .then((ok) => ok && setChosen([]));
      }}
    >
      <h3>Ask a partner to authorise our users to migrate</h3>
      <Choice label="Partner" name="partner" value={partner} onChange={setPartner} options={partners} empty="Choose…" required />
      <TextField label="Find users" name="search" value={search} onChange={setSearch} placeholder="part of a name" />
      <fieldset className="user-picker">
        <legend>Users ({chosen.length} chosen)</legend>
        {(users.data?.[system]?.users ?? []).map((u) => (
          <label key={u.id}>
            <input type="checkbox" checked={chosen.includes(u.id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, u.id] : chosen.filter((x) => x !== u.id))} /> {u.displayName}{' '}
            <span className="muted small">
              {u.id} · {u.organisation.name}
            </span>
          </label>
        ))}
      </fieldset>
      <ServicePicker value={services} onChange={setServices} />
      <TextField label="Until" name="until" type="date" value={until} onChange={setUntil} required />
      <button type="submit" disabled={action.busy || chosen.length === 0 || !partner || services.length === 0}>
        Send request
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorBanner error={action.error} />
      <Notice text={action.notice} />
    </form>
  );
}

function Scheduled() {
  const { system } = useConsole();
  const q = useQuery<Record<string, { scheduledServiceChanges: Array<{ id: string; direction: string; partner: string; userIds: string[] | null; organisationId: string | null; enabled: string[]; at: string; status: string; requestedBy: string }> }>>(
    `{ ${system} { scheduledServiceChanges { id direction partner userIds organisationId enabled at status requestedBy } } }`,
  );
  const rows = (q.data?.[system]?.scheduledServiceChanges ?? []).filter((c) => c.status === 'PENDING');
  if (rows.length === 0) return null;
  return (
    <Section title="Scheduled changes of visitors' services">
      <table className="table">
        <thead>
          <tr>
            <th>When</th>
            <th>Partner</th>
            <th>Who</th>
            <th>Enabled from then</th>
            <th>Asked by</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td>{when(c.at)}</td>
              <td>
                {c.partner} <span className="muted">({c.direction === 'inbound' ? 'visitors here' : 'our users there'})</span>
              </td>
              <td>{c.userIds ? c.userIds.join(', ') : c.organisationId ? `organisation ${c.organisationId}` : 'all'}</td>
              <td>{list(c.enabled)}</td>
              <td>{c.requestedBy}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

export function Visitors() {
  const [status, setStatus] = useState('ACTIVE');
  const filter = (
    <Choice
      label="Show"
      inline
      value={status}
      onChange={setStatus}
      options={[
        { value: 'ACTIVE', label: 'active' },
        { value: '', label: 'all' },
        { value: 'REVOKED', label: 'revoked' },
        { value: 'REMOVED', label: 'removed' },
        { value: 'EXPIRED', label: 'expired' },
      ]}
    />
  );
  return (
    <>
      <Section title="Visitors here (partners' users)" actions={filter}>
        <Authorisations direction="INBOUND" status={status} />
      </Section>
      <Section title="Our users at partners" actions={<RequestMigration />}>
        <Authorisations direction="OUTBOUND" status={status} />
      </Section>
      <Scheduled />
    </>
  );
}
