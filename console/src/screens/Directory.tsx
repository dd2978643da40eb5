/** The directory "as seen by partner X": exactly what a chosen partner can see of this system's users and groups now. */
import { useState } from 'react';
import { str } from '../api.js';
import { Choice, ErrorBanner, list, Section, useConsole, useQuery, Warnings } from '../ui.js';

interface Seen {
  partner: string;
  agreementStatus: string | null;
  scopes: string[];
  users: Array<{ id: string; displayName: string; organisationId: string; mcptt: string | null; mcdata: string | null; mcvideo: string | null; enabledServices: string[]; phone: string | null; email: string | null }>;
  groups: Array<{ groupId: string; name: string; organisationId: string | null; services: string[]; members: Array<{ system: string; mcServiceId: string }> | null; memberLimit: number | null }>;
}

const hidden = <span className="muted">hidden</span>;

export function Directory() {
  const { system } = useConsole();
  const agreements = useQuery<Record<string, { agreements: Array<{ partnerSystem: string; status: string }> }>>(`{ ${system} { agreements { partnerSystem status } } }`);
  const partners = agreements.data?.[system]?.agreements.map((a) => a.partnerSystem) ?? [];
  const [partner, setPartner] = useState('');
  const chosen = partner || partners[0] || '';
  const q = useQuery<Record<string, { directoryAsSeenBy: Seen }>>(
    chosen
      ? `{ ${system} { directoryAsSeenBy(partner: ${str(chosen)}, limit: 500) { partner agreementStatus scopes users { id displayName organisationId mcptt mcdata mcvideo enabledServices phone email } groups { groupId name organisationId services members { system mcServiceId } memberLimit } } } }`
      : null,
  );
  const seen = q.data?.[system]?.directoryAsSeenBy;
  const picker = <Choice label="As seen by" inline value={chosen} onChange={setPartner} options={partners} />;
  return (
    <Section title="Our directory as a partner sees it" actions={picker}>
      <ErrorBanner error={q.error ?? agreements.error} />
      <Warnings warnings={q.warnings} />
      {seen && (
        <>
          <p>
            Agreement: <strong>{seen.agreementStatus ?? 'none'}</strong>; scopes in force: {seen.scopes.length ? seen.scopes.join(', ') : 'none'}. {seen.partner} sees {seen.users.length} users and {seen.groups.length} groups.
          </p>
          <h3>Users</h3>
          <table className="table" aria-label="Users as seen">
            <thead>
              <tr>
                <th>Name</th>
                <th>Organisation</th>
                <th>MCPTT</th>
                <th>MCData</th>
                <th>MCVideo</th>
                <th>Services</th>
                <th>Phone</th>
                <th>E-mail</th>
              </tr>
            </thead>
            <tbody>
              {seen.users.map((u) => (
                <tr key={u.id}>
                  <td>{u.displayName}</td>
                  <td>{u.organisationId}</td>
                  <td>{u.mcptt ?? hidden}</td>
                  <td>{u.mcdata ?? hidden}</td>
                  <td>{u.mcvideo ?? hidden}</td>
                  <td>{list(u.enabledServices)}</td>
                  <td>{u.phone ?? hidden}</td>
                  <td>{u.email ?? hidden}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>Groups</h3>
          <table className="table" aria-label="Groups as seen">
            <thead>
              <tr>
                <th>Name</th>
                <th>Group ID</th>
                <th>Services</th>
                <th>Members</th>
                <th>Limit</th>
              </tr>
            </thead>
            <tbody>
              {seen.groups.map((g) => (
                <tr key={g.groupId}>
                  <td>{g.name}</td>
                  <td>
                    <code>{g.groupId}</code>
                  </td>
                  <td>{list(g.services)}</td>
                  <td>{g.members === null ? hidden : g.members.length}</td>
                  <td>{g.memberLimit ?? hidden}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}
