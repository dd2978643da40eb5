/** Joint groups: members by system, pending membership updates, limits; create, provide to partners, dissolve; ask the home for members. */
import { useState } from 'react';
import { str } from '../api.js';
import { Choice, ErrorBanner, list, Notice, ReasonAction, Section, ServicePicker, TextField, useAction, useConsole, useQuery, Warnings, when } from '../ui.js';
import { byUrgency, REQUEST_FIELDS, type PartnerRequest } from '../requests.js';

interface JointGroup {
  groupId: string;
  name: string;
  homeSystem: string;
  role: string;
  status: string;
  services: string[];
  priority: number;
  memberLimit: number;
  memberCount: number;
  disabled: boolean;
  version: number;
  reason: string | null;
  updatedAt: string;
  members: Array<{ system: string; mcServiceId: string; securityDomain: string | null; details: { displayName: string; organisationName: string | null } | null; detailsNote: string | null }>;
  participants: Array<{ partner: string; status: string; handler: string | null; decidedBy: string | null; reason: string | null }>;
}

const FIELDS =
  'groupId name homeSystem role status services priority memberLimit memberCount disabled version reason updatedAt participants { partner status handler decidedBy reason } members { system mcServiceId securityDomain details { displayName organisationName } detailsNote }';

function Members({ group }: { group: JointGroup }) {
  const bySystem = new Map<string, JointGroup['members']>();
  for (const m of group.members) bySystem.set(m.system, [...(bySystem.get(m.system) ?? []), m]);
  if (group.members.length === 0) return <p className="muted">No members yet.</p>;
  return (
    <div className="by-system">
      {[...bySystem].map(([system, members]) => (
        <div key={system}>
          <h4>
            {system} ({members.length})
          </h4>
          <ul>
            {members.map((m) => (
              <li key={m.mcServiceId}>
                {m.details?.displayName ?? <span className="muted">{m.mcServiceId}</span>} {m.details?.organisationName && <span className="muted small">· {m.details.organisationName}</span>}
                <div className="muted small">
                  {m.mcServiceId} · {m.securityDomain ?? 'security domain unknown'}
                  {m.detailsNote && ` · ${m.detailsNote}`}
                </div>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function AskForMembers({ group }: { group: JointGroup }) {
  const { api, system } = useConsole();
  const action = useAction();
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [operation, setOperation] = useState('ADD');
  const [urgency, setUrgency] = useState('ROUTINE');
  const users = useQuery<Record<string, { users: Array<{ id: string; displayName: string; mcServiceIds: { mcptt: string | null; mcdata: string | null; mcvideo: string | null } }> }>>(
    `{ ${system} { users(search: ${str(search)}, limit: 30) { id displayName mcServiceIds { mcptt mcdata mcvideo } } } }`,
    {},
    [search],
  );
  const idOf = (u: { mcServiceIds: { mcptt: string | null; mcdata: string | null; mcvideo: string | null } }) => u.mcServiceIds.mcptt ?? u.mcServiceIds.mcdata ?? u.mcServiceIds.mcvideo ?? '';
  return (
    <form
      className="card"
      aria-label={`Ask ${group.homeSystem} for members`}
      onSubmit={(e) => {
        e.preventDefault();
        void action
          .run(
            () => api.mutate(`mutation { ${system} { requestJointGroupMembers(groupId: ${str(group.groupId)}, operation: ${operation}, urgency: ${urgency}, members: [${chosen.map((id) => `{ system: ${str(system)}, mcServiceId: ${str(id)} }`).join(' ')}]) { id status } } }`),
            `Asked ${group.homeSystem}; it decides.`,
          )
          .then((ok) => ok && setChosen([]));
      }}
    >
      <h4>Ask {group.homeSystem} to change our members</h4>
      <Choice label="Operation" inline value={operation} onChange={setOperation} options={[{ value: 'ADD', label: 'add' }, { value: 'REMOVE', label: 'remove' }]} />
      <Choice label="Urgency" inline value={urgency} onChange={setUrgency} options={[{ value: 'ROUTINE', label: 'routine' }, { value: 'URGENT', label: 'urgent' }, { value: 'EMERGENCY', label: 'emergency' }]} />
      <TextField label="Find our users" value={search} onChange={setSearch} />
      <fieldset className="user-picker">
        <legend>Users ({chosen.length} chosen)</legend>
        {(users.data?.[system]?.users ?? []).map((u) => (
          <label key={u.id}>
            <input type="checkbox" checked={chosen.includes(idOf(u))} onChange={(e) => setChosen(e.target.checked ? [...chosen, idOf(u)] : chosen.filter((x) => x !== idOf(u)))} /> {u.displayName}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={action.busy || chosen.length === 0}>
        Send
      </button>
      <ErrorBanner error={action.error} />
      <Notice text={action.notice} />
    </form>
  );
}

function GroupCard({ group, pending }: { group: JointGroup; pending: PartnerRequest[] }) {
  const { api, system } = useConsole();
  const action = useAction();
  const [partner, setPartner] = useState('');
  const home = group.role === 'home';
  const active = group.status === 'ACTIVE';
  return (
    <article className="card" aria-label={`Joint group ${group.name}`}>
      <header className="card-head">
        <h3>
          {group.name} <code>{group.groupId}</code>
        </h3>
        <span className={`status status-${group.status.toLowerCase()}`}>{group.status}</span>
      </header>
      <dl className="facts">
        <dt>Home</dt>
        <dd>{home ? `${system} (us)` : group.homeSystem}</dd>
        <dt>Members</dt>
        <dd>
          {group.memberCount} of {group.memberLimit} {group.disabled && <strong>(disabled)</strong>}
        </dd>
        <dt>Services, priority</dt>
        <dd>
          {list(group.services)}, {group.priority}
        </dd>
        <dt>Taking part</dt>
        <dd>{group.participants.length === 0 ? 'no partner yet' : group.participants.map((p) => `${p.partner} (${p.status.toLowerCase()}${p.decidedBy ? `, by ${p.decidedBy}` : ''})`).join(', ')}</dd>
        <dt>Version</dt>
        <dd>
          {group.version}, {when(group.updatedAt)}
        </dd>
        {group.reason && (
          <>
            <dt>Reason</dt>
            <dd>{group.reason}</dd>
          </>
        )}
      </dl>
      {pending.length > 0 && (
        <div className="pending">
          <h4>Pending membership updates ({pending.length})</h4>
          <ul>
            {pending.map((r) => (
              <li key={r.id}>
                <span className={`urgency urgency-${(r.urgency ?? 'routine').toLowerCase()}`}>{r.urgency}</span> {r.partner}: {r.operation} {r.userCount} — decide in the Inbox
              </li>
            ))}
          </ul>
        </div>
      )}
      <Members group={group} />
      {home && active && (
        <div className="actions">
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void action.run(() => api.mutate(`mutation { ${system} { provideJointGroup(groupId: ${str(group.groupId)}, partner: ${str(partner)}) { groupId } } }`), `Provided to ${partner}; it accepts or declines.`);
            }}
          >
            <TextField label="Provide to partner" value={partner} onChange={setPartner} required />
            <button type="submit" disabled={action.busy}>
              Provide
            </button>
          </form>
          <ReasonAction label="Dissolve" danger busy={action.busy} onSubmit={(reason) => void action.run(() => api.mutate(`mutation { ${system} { dissolveJointGroup(groupId: ${str(group.groupId)}, reason: ${str(reason)}) { status } } }`), 'Dissolved; every participant is told.')} />
        </div>
      )}
      {!home && active && <AskForMembers group={group} />}
      <ErrorBanner error={action.error} />
      <Notice text={action.notice} />
    </article>
  );
}

function CreateGroup() {
  const { api, system } = useConsole();
  const action = useAction();
  const [open, setOpen] = useState(false);
  const [groupId, setGroupId] = useState('');
  const [name, setName] = useState('');
  const [services, setServices] = useState<string[]>(['MCPTT']);
  const [priority, setPriority] = useState('100');
  const [limit, setLimit] = useState('50');
  const [partners, setPartners] = useState('');
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Create a joint group…
      </button>
    );
  }
  return (
    <form
      className="card"
      aria-label="Create a joint group"
      onSubmit={(e) => {
        e.preventDefault();
        const provideTo = partners
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
          .map((p) => `{ partner: ${str(p)} }`)
          .join(' ');
        void action
          .run(
            () => api.mutate(`mutation { ${system} { createJointGroup(groupId: ${str(groupId)}, input: { name: ${str(name)}, services: [${services.join(', ')}], priority: ${Number(priority)}, memberLimit: ${Number(limit)} }, provideTo: [${provideTo}]) { groupId } } }`),
            'Created.',
          )
          .then((ok) => ok && setOpen(false));
      }}
    >
      <h3>Create a joint group</h3>
      <TextField label="Group ID (SIP URI)" value={groupId} onChange={setGroupId} placeholder={`sip:…@mcptt.${system}.example`} required />
      <TextField label="Name" value={name} onChange={setName} required />
      <ServicePicker value={services} onChange={setServices} />
      <TextField label="Priority (1 highest – 255)" type="number" value={priority} onChange={setPriority} required />
      <TextField label="Member limit" type="number" value={limit} onChange={setLimit} required />
      <TextField label="Provide to partners (comma-separated)" value={partners} onChange={setPartners} />
      <button type="submit" disabled={action.busy}>
        Create
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorBanner error={action.error} />
    </form>
  );
}

export function JointGroups() {
  const { system } = useConsole();
  const q = useQuery<Record<string, { jointGroups: JointGroup[]; pendingRequests: PartnerRequest[] }>>(`{ ${system} { jointGroups { ${FIELDS} } pendingRequests { ${REQUEST_FIELDS} } } }`);
  const me = q.data?.[system];
  const pendingOf = (groupId: string) => (me?.pendingRequests ?? []).filter((r) => r.kind === 'group.members' && r.groupId === groupId).sort(byUrgency);
  return (
    <Section title="Joint groups" actions={<CreateGroup />}>
      <ErrorBanner error={q.error} />
      <Warnings warnings={q.warnings} />
      {me && me.jointGroups.length === 0 && <p className="muted">No joint groups.</p>}
      {me?.jointGroups.map((g) => <GroupCard key={g.groupId} group={g} pending={pendingOf(g.groupId)} />)}
    </Section>
  );
}
