/** Inbox: what waits for this administrator's decision, most urgent first; and this system's own requests with their state. */
import { useState } from 'react';
import { str } from '../api.js';
import { byUrgency, describe, REQUEST_FIELDS, type PartnerRequest } from '../requests.js';
import { ErrorBanner, Notice, ReasonAction, Section, useAction, useConsole, useQuery, Warnings, when } from '../ui.js';

function Pending({ request }: { request: PartnerRequest }) {
  const { api, system } = useConsole();
  const action = useAction();
  const [choosing, setChoosing] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const decide = (decision: string, extra = '') =>
    action.run(() => api.mutate(`mutation { ${system} { decideRequest(partner: ${str(request.partner)}, requestId: ${str(request.id)}, decision: ${decision}${extra}) { status } } }`), `Decided: ${decision.toLowerCase()}.`);
  const partable = request.kind === 'migration.authorise' || request.kind === 'group.members';
  return (
    <tr aria-label={`Request ${request.id}`}>
      <td>{request.urgency ? <span className={`urgency urgency-${request.urgency.toLowerCase()}`}>{request.urgency}</span> : <span className="muted">—</span>}</td>
      <td>
        <strong>{request.partner}</strong>
        <div className="muted">{request.requester.subject}</div>
      </td>
      <td>
        {describe(request)}
        {request.handler && <div className="muted">to {request.handler}</div>}
        {request.userIds.length > 0 && <div className="muted small">{request.userIds.slice(0, 8).join(', ')}{request.userIds.length > 8 ? ' …' : ''}</div>}
      </td>
      <td>{when(request.decideBy)}</td>
      <td className="actions">
        <button type="button" onClick={() => void decide('APPROVE')} disabled={action.busy}>
          Approve
        </button>
        {partable && (
          <button type="button" onClick={() => setChoosing(!choosing)} disabled={action.busy}>
            Approve part…
          </button>
        )}
        <ReasonAction label="Reject" danger busy={action.busy} onSubmit={(reason) => void decide('REJECT', `, reason: ${str(reason)}`)} />
        {choosing && (
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void decide('APPROVE_PART', `, userIds: [${chosen.map(str).join(', ')}]`);
            }}
          >
            <fieldset>
              <legend>Users to approve</legend>
              {request.userIds.map((id) => (
                <label key={id}>
                  <input type="checkbox" checked={chosen.includes(id)} onChange={(e) => setChosen(e.target.checked ? [...chosen, id] : chosen.filter((x) => x !== id))} /> {id}
                </label>
              ))}
            </fieldset>
            <button type="submit" disabled={chosen.length === 0 || action.busy}>
              Approve {chosen.length}
            </button>
          </form>
        )}
        <ErrorBanner error={action.error} />
        <Notice text={action.notice} />
      </td>
    </tr>
  );
}

function Outcome({ r }: { r: PartnerRequest }) {
  return (
    <tr aria-label={`Request ${r.id}`}>
      <td>
        <span className={`status status-${r.status.toLowerCase()}`}>{r.status}</span>
      </td>
      <td>{r.partner}</td>
      <td>
        {describe(r)}
        {r.refused && r.refused.length > 0 && <div className="muted small">refused: {r.refused.slice(0, 3).map((x) => `${x.userId} (${x.code})`).join(', ')}</div>}
      </td>
      <td>{r.decidedBy ?? '—'}</td>
      <td>{r.reason ?? ''}</td>
      <td>{when(r.decidedAt ?? r.createdAt)}</td>
    </tr>
  );
}

export function Inbox() {
  const { system } = useConsole();
  const q = useQuery<Record<string, { pendingRequests: PartnerRequest[]; allPending: PartnerRequest[]; outbound: PartnerRequest[]; decided: PartnerRequest[] }>>(
    `{ ${system} { pendingRequests { ${REQUEST_FIELDS} } allPending: requests(direction: INBOUND, status: PENDING, limit: 500) { ${REQUEST_FIELDS} } outbound: requests(direction: OUTBOUND, limit: 50) { ${REQUEST_FIELDS} } decided: requests(direction: INBOUND, limit: 50) { ${REQUEST_FIELDS} } } }`,
  );
  const me = q.data?.[system];
  const pending = [...(me?.pendingRequests ?? [])].sort(byUrgency);
  const mine = new Set(pending.map((r) => `${r.partner}:${r.id}`));
  const others = (me?.allPending ?? []).filter((r) => !mine.has(`${r.partner}:${r.id}`)).sort(byUrgency);
  return (
    <>
      <Section title={`Waiting for you (${pending.length})`}>
        <ErrorBanner error={q.error} />
        <Warnings warnings={q.warnings} />
        {pending.length === 0 ? (
          <p className="muted">Nothing waits for a decision.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Urgency</th>
                <th>From</th>
                <th>Asks to</th>
                <th>Expires</th>
                <th>Decide</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((r) => (
                <Pending key={`${r.partner}:${r.id}`} request={r} />
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {others.length > 0 && (
        <Section title={`Waiting for others of ${system} (${others.length})`}>
          <p className="muted">The policies name other administrators to decide these.</p>
          <RequestTable requests={others} empty="" />
        </Section>
      )}
      <Section title="Our requests to partners">
        <RequestTable requests={me?.outbound ?? []} empty="No requests sent yet." />
      </Section>
      <Section title="Partners' requests, decided">
        <RequestTable requests={(me?.decided ?? []).filter((r) => r.status !== 'PENDING')} empty="None yet." />
      </Section>
    </>
  );
}

function RequestTable({ requests, empty }: { requests: PartnerRequest[]; empty: string }) {
  if (requests.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Status</th>
          <th>Partner</th>
          <th>Request</th>
          <th>Handled by</th>
          <th>Reason</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        {requests.map((r) => (
          <Outcome key={`${r.partner}:${r.id}`} r={r} />
        ))}
      </tbody>
    </table>
  );
}
