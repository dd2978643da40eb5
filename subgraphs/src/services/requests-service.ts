/**
 * The request pipeline between systems (ACM, TS 23.280 10.17), for migration authorisations:
 *
 * - the **sending** system checks that the requester may ask (its own administrators or the system
 *   itself, under an active agreement that grants MIGRATION_REQUEST, for users of organisations it
 *   covers) and stops there with the reason if not; otherwise it stores the request and sends it;
 * - the **receiving** system acknowledges it (the delivery receipt), stores and assesses it, and
 *   decides by its **local policy** per kind of request: automatically, or by queueing it for its
 *   administrators, who fetch their pending requests and approve, approve part or reject it;
 * - the decision goes back to the requester naming who handled it; pending requests can be
 *   withdrawn and expire when nobody decides in time; approved users hold **migration
 *   authorisations** that end at their validity end, when the requester removes them, when the
 *   receiver revokes them, or when the agreement is suspended or ends — and the requester learns of
 *   every such change.
 *
 * Every message travels in the partner's change feed (in order, exactly once, signed when
 * delivered); every step is audited on the side that takes it and on the side that receives it.
 */
import { randomUUID } from 'node:crypto';
import { decideOwnerOnly, requireAllowed, resolveAccess, systemPrincipal, type EffectiveAccess } from '../../../domain/access.js';
import { effectiveStatus, isInForce } from '../../../domain/agreement.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import type { AgreementRecord, McService, Principal } from '../../../domain/model.js';
import {
  assessMigration,
  automaticDecision,
  checkMigrationShape,
  DEFAULT_POLICY,
  isPending,
  manualDecision,
  MAX_REQUEST_USERS,
  REQUEST_KINDS,
  type Assessment,
  type MigratingUser,
  type MigrationBody,
  type RemovalBody,
  type RequestBody,
  type RequestKind,
  type RequestMessage,
  type RequestPolicy,
  type RequestStatus,
  type ServiceToggleBody,
  type UserVerdict,
  assessToggle,
  checkToggleShape,
  decidePerson,
  enabledAfterToggle,
} from '../../../domain/requests.js';
import { validateText } from '../../../domain/validation.js';
import type { AuthorisationRecord, ScheduledChange } from '../store/migration-store.js';
import type { RequestRecord } from '../store/request-store.js';
import type { Store } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import type { SharingService } from './sharing-service.js';

export interface MigrationRequestInput {
  partner: string;
  userIds: string[];
  services: McService[];
  validFrom: Date;
  validUntil: Date;
  /** Names the person or functional alias at the partner to handle it (optional). */
  handler: string | null;
  /** A retry with the same id returns the first request instead of sending another. */
  requestId: string | null;
}

export type ManualDecisionKind = 'APPROVE' | 'APPROVE_PART' | 'REJECT';

export type ManualDecision = { kind: ManualDecisionKind; userIds: string[] | null; reason: string | null };

/** A decision on a request: its status, the users (or members) approved, those refused and why. */
export interface RequestOutcome {
  status: RequestStatus;
  approved: string[];
  refused: UserVerdict[];
  reason: string | null;
}

type ResponseMessage = Extract<RequestMessage, { kind: 'response' }>;

/**
 * How a kind of request other than the migration kinds is handled (joint groups register theirs), in
 * the caller's transaction. This service stores, audits, answers and expires every request the same way.
 */
export interface RequestKindHandler {
  /** An inbound request of this kind was stored: its outcome when decided at once (by the policy), or null to leave it pending for a person. */
  received(store: Store, request: RequestRecord, policy: RequestPolicy, now: Date): Promise<RequestOutcome | null>;
  /** A person of this system decides it. */
  decide(store: Store, request: RequestRecord, decision: ManualDecision, by: string, now: Date): Promise<RequestOutcome>;
  /** The partner answered one this system sent (the request record is updated already). */
  answered(store: Store, request: RequestRecord, response: ResponseMessage, now: Date): Promise<void>;
}

const SYSTEM_DECIDES = 'policy';

/** What the partner's grants to this system allow this system to ask of it. */
function accessAtPartner(owner: string, agreement: AgreementRecord | undefined, now: Date): EffectiveAccess {
  const status = agreement ? effectiveStatus(agreement, now) : null;
  return { owner: agreement?.partner ?? '?', partner: owner, isOwner: false, agreementStatus: status, grants: agreement && isInForce(agreement, now) ? agreement.grantedByPartner : [] };
}

function ids(users: Array<{ userId: string }>): string[] {
  return users.map((u) => u.userId);
}

function migratingUsers(body: MigrationBody): Map<string, MigratingUser> {
  return new Map(body.users.map((u) => [u.userId, u]));
}

export class RequestsService {
  private readonly handlers = new Map<RequestKind, RequestKindHandler>();

  constructor(
    private readonly owner: string,
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly sharing: SharingService,
  ) {}

  /** Registers how a kind of request is received, decided and answered. */
  handle(kind: RequestKind, handler: RequestKindHandler): void {
    this.handlers.set(kind, handler);
  }

  // ---- the requesting side ----

  /** Asks a partner to authorise these users of this system to migrate there. */
  async requestMigration(access: EffectiveAccess, principal: Principal, input: MigrationRequestInput): Promise<RequestRecord> {
    return this.audit.audited(principal, 'request.migration.authorise', `request:${input.partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'ask partners to authorise its users'));
      await this.requireRequester(store, 'migration.authorise', input.partner, principal);
      const id = input.requestId ?? randomUUID();
      validateText(id, 'requestId', 100);
      const earlier = await store.requests.get('outbound', input.partner, id);
      if (earlier) return earlier;
      if (input.userIds.length > MAX_REQUEST_USERS) {
        throw new McxError(ErrorCode.BAD_USER_INPUT, `a request names at most ${MAX_REQUEST_USERS} users (this one ${input.userIds.length})`, { field: 'userIds' });
      }
      const now = new Date();
      const agreement = await store.agreements.get(input.partner);
      const found = new Map((await store.users.getMany([...new Set(input.userIds)])).map((u) => [u.id, u]));
      const unknown = [...new Set(input.userIds)].filter((userId) => !found.has(userId));
      if (unknown.length > 0) throw new McxError(ErrorCode.BAD_USER_INPUT, `${this.owner} has no users ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ''}`, { field: 'userIds' });
      const body: MigrationBody = {
        users: input.userIds.map((userId) => {
          const user = found.get(userId)!;
          return { userId, displayName: user.displayName, organisationId: user.organisationId, mcServiceId: user.mcpttId ?? user.mcdataId ?? user.mcvideoId ?? userId, securityDomain: user.securityDomain };
        }),
        services: input.services,
        validFrom: input.validFrom.toISOString(),
        validUntil: input.validUntil.toISOString(),
      };
      const shape = checkMigrationShape(body, now);
      if (!shape.ok) throw new McxError(shape.code, shape.reason);
      // The sending side checks first, with what the partner grants this system, and stops there.
      const assessment = assessMigration(accessAtPartner(this.owner, agreement, now), { ...DEFAULT_POLICY, maxDays: Number.POSITIVE_INFINITY }, body, now);
      if (!assessment.ok) throw new McxError(assessment.code, `not sent: ${assessment.reason}`);
      if (assessment.refused.length > 0) {
        throw new McxError(ErrorCode.FORBIDDEN, `not sent: ${assessment.refused.length} users are outside what ${input.partner} grants: ${assessment.refused.slice(0, 5).map((r) => `${r.userId} (${r.reason})`).join('; ')}`);
      }
      return this.send(store, { id, kind: 'migration.authorise', partner: input.partner, principal, body, handler: input.handler, now });
    });
  }

  /** Asks a partner to remove these users from their migration authorisation there (never needs approval). */
  async requestRemoval(access: EffectiveAccess, principal: Principal, partner: string, userIds: string[]): Promise<RequestRecord> {
    return this.audit.audited(principal, 'request.migration.remove', `request:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'ask partners to remove its users'));
      await this.requireRequester(store, 'migration.remove', partner, principal);
      const unique = [...new Set(userIds)];
      if (unique.length === 0 || unique.length > MAX_REQUEST_USERS) throw new McxError(ErrorCode.BAD_USER_INPUT, `name 1 to ${MAX_REQUEST_USERS} users`, { field: 'userIds' });
      const held = new Set((await store.migrations.active('outbound', partner, unique)).map((a) => a.userId));
      const notHeld = unique.filter((u) => !held.has(u));
      if (notHeld.length > 0) throw new McxError(ErrorCode.NOT_FOUND, `not authorised at ${partner}: ${notHeld.slice(0, 5).join(', ')}`, { field: 'userIds' });
      return this.send(store, { id: randomUUID(), kind: 'migration.remove', partner, principal, body: { userIds: unique }, handler: null, now: new Date() });
    });
  }

  /** Withdraws a pending request: the partner confirms (WITHDRAWN), unless it decided first. */
  async withdraw(access: EffectiveAccess, principal: Principal, partner: string, id: string): Promise<RequestRecord> {
    return this.audit.audited(principal, 'request.withdraw', `request:${partner}:${id}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'withdraw its requests'));
      const request = await store.requests.get('outbound', partner, id);
      if (!request) throw new McxError(ErrorCode.NOT_FOUND, `no request ${id} to ${partner}`);
      if (!isPending(request.status)) throw new McxError(ErrorCode.CONFLICT, `request ${id} is ${request.status}: only a pending request can be withdrawn`);
      await this.sharing.notifyRequest(store, partner, { kind: 'withdraw', id });
      return request;
    });
  }

  /** The sending side checks first that this person may send this kind of request to the partner. */
  async requireRequester(store: Store, kind: RequestKind, partner: string, principal: Principal): Promise<void> {
    const right = decidePerson((await store.requests.policy(kind, partner)).requesters, principal, `send ${kind} requests to ${partner}`);
    if (!right.ok) throw new McxError(right.code, `not sent: ${right.reason}`);
  }

  /** Stores an outbound request and sends it to the partner (in the caller's transaction; checked by the caller). */
  async send(
    store: Store,
    r: { id: string; kind: RequestKind; partner: string; principal: Principal; body: RequestBody; handler: string | null; now: Date },
  ): Promise<RequestRecord> {
    const record: RequestRecord = {
      id: r.id,
      direction: 'outbound',
      partner: r.partner,
      kind: r.kind,
      status: 'PENDING',
      requester: { system: r.principal.system, subject: r.principal.subject },
      handler: r.handler,
      body: r.body,
      outcome: null,
      decidedBy: null,
      reason: null,
      createdAt: r.now,
      decideBy: null,
      decidedAt: null,
    };
    await store.requests.insert(record);
    await this.sharing.notifyRequest(store, r.partner, { kind: 'request', id: r.id, requestKind: r.kind, requester: record.requester, handler: r.handler, body: r.body });
    return record;
  }

  /** Asks a partner to turn services on or off for this system's users visiting there (VISITOR_SERVICES_TOGGLE). */
  async requestVisitorServices(access: EffectiveAccess, principal: Principal, partner: string, body: ServiceToggleBody): Promise<RequestRecord> {
    return this.audit.audited(principal, 'request.services.toggle', `request:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, "ask partners to change its visitors' services"));
      await this.requireRequester(store, 'services.toggle', partner, principal);
      const now = new Date();
      const assessment = assessToggle(accessAtPartner(this.owner, await store.agreements.get(partner), now), body, now);
      if (!assessment.ok) throw new McxError(assessment.code, `not sent: ${assessment.reason}`);
      return this.send(store, { id: randomUUID(), kind: 'services.toggle', partner, principal, body, handler: null, now });
    });
  }

  // ---- visitors' services (the hosting side) ----

  /** Turns services on or off for a partner's visitors here, at once or at a scheduled time; the partner is told. */
  async setVisitorServices(access: EffectiveAccess, principal: Principal, partner: string, body: ServiceToggleBody): Promise<{ changed: AuthorisationRecord[]; scheduled: ScheduledChange | null }> {
    return this.audit.audited(principal, 'migration.services', `migration:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, "change visitors' services"));
      const shape = checkToggleShape(body, new Date());
      if (!shape.ok) throw new McxError(shape.code, shape.reason);
      return this.toggle(store, partner, body, `${principal.kind} ${principal.subject} of ${principal.system}`, new Date());
    });
  }

  /** Applies a toggle now, or schedules it when its time is still to come. */
  private async toggle(store: Store, partner: string, body: ServiceToggleBody, by: string, now: Date): Promise<{ changed: AuthorisationRecord[]; scheduled: ScheduledChange | null }> {
    if (body.at !== null && Date.parse(body.at) > now.getTime()) {
      const scheduled: ScheduledChange = { id: randomUUID(), direction: 'inbound', partner, body, dueAt: new Date(body.at), status: 'PENDING', requestedBy: by, createdAt: now };
      await store.migrations.schedule(scheduled);
      await this.sharing.notifyRequest(store, partner, { kind: 'services.scheduled', scheduleId: scheduled.id, body });
      return { changed: [], scheduled };
    }
    const active = (await store.migrations.active('inbound', partner, body.userIds)).filter((a) => body.organisationId === null || a.organisationId === body.organisationId);
    const changed = active.map((a) => ({ ...a, enabledServices: enabledAfterToggle(a.services, body.enabled), updatedAt: now }));
    if (changed.length > 0) {
      await store.migrations.save(changed);
      await this.sharing.notifyRequest(store, partner, { kind: 'services.changed', changes: changed.map((a) => ({ userId: a.userId, enabledServices: a.enabledServices })) });
    }
    return { changed, scheduled: null };
  }

  // ---- the deciding side ----

  /** The policy for a kind of request from a partner ('*': every partner without its own). */
  async setPolicy(access: EffectiveAccess, principal: Principal, kind: RequestKind, partner: string, policy: RequestPolicy): Promise<RequestPolicy> {
    return this.audit.audited(principal, 'request.policy', `policy:${kind}:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'set its request policies'));
      if (!(REQUEST_KINDS as readonly string[]).includes(kind)) throw new McxError(ErrorCode.BAD_USER_INPUT, `no kind of request ${kind}`);
      if (!Number.isInteger(policy.maxUsers) || policy.maxUsers < 1 || policy.maxUsers > MAX_REQUEST_USERS) throw new McxError(ErrorCode.BAD_USER_INPUT, `maxUsers is 1 to ${MAX_REQUEST_USERS}`, { field: 'maxUsers' });
      if (!(policy.maxDays > 0) || policy.maxDays > 366) throw new McxError(ErrorCode.BAD_USER_INPUT, 'maxDays is more than 0 and at most 366', { field: 'maxDays' });
      if (!Number.isInteger(policy.pendingSeconds) || policy.pendingSeconds < 1) throw new McxError(ErrorCode.BAD_USER_INPUT, 'pendingSeconds is at least 1', { field: 'pendingSeconds' });
      await store.requests.savePolicy(kind, partner, policy);
      return policy;
    });
  }

  /** An administrator's decision on a pending request from a partner. */
  async decide(
    access: EffectiveAccess,
    principal: Principal,
    partner: string,
    id: string,
    decision: ManualDecision,
  ): Promise<RequestRecord> {
    return this.audit.audited(principal, 'request.decide', `request:${partner}:${id}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, "decide partners' requests"));
      const request = await store.requests.get('inbound', partner, id);
      if (!request) throw new McxError(ErrorCode.NOT_FOUND, `no request ${id} from ${partner}`);
      if (!isPending(request.status)) throw new McxError(ErrorCode.CONFLICT, `request ${id} is ${request.status}: it is decided already`);
      const policy = await store.requests.policy(request.kind, partner);
      const responder = decidePerson(policy.responders, principal, `decide ${request.kind} requests from ${partner}`);
      if (!responder.ok) throw new McxError(responder.code, responder.reason);
      const now = new Date();
      const by = `${principal.kind} ${principal.subject} of ${principal.system}`;
      if (request.kind === 'services.toggle') return this.decideToggle(store, request, decision, by, now);
      const handler = this.handlers.get(request.kind);
      if (handler) {
        const decided = await handler.decide(store, request, decision, by, now);
        return this.conclude(store, request, decided.status, decided.approved, decided.refused, by, decided.reason, now);
      }
      const outcome = manualDecision(await this.assess(store, request, policy, now), decision);
      if (!outcome.ok) throw new McxError(outcome.code, outcome.reason);
      await this.authorise(store, request, outcome.approved, policy, now);
      return this.conclude(store, request, outcome.status, ids(outcome.approved), outcome.refused, by, outcome.reason, now);
    });
  }

  /** Ends the authorisations of a partner's users here (all of them when `userIds` is null). */
  async revoke(access: EffectiveAccess, principal: Principal, partner: string, userIds: string[] | null, reason: string): Promise<AuthorisationRecord[]> {
    return this.audit.audited(principal, 'migration.revoke', `migration:${partner}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'revoke migration authorisations'));
      const why = validateText(reason, 'reason', 500);
      const ended = await this.endAuthorisations(store, partner, userIds, 'REVOKED', why);
      if (userIds !== null && ended.length < new Set(userIds).size) throw new McxError(ErrorCode.NOT_FOUND, `only ${ended.length} of these users are authorised here`);
      return ended;
    });
  }

  /** Decides a partner's request to change its visitors' services: approve (apply or schedule it) or reject. */
  private async decideToggle(store: Store, request: RequestRecord, decision: { kind: ManualDecisionKind; reason: string | null }, by: string, now: Date): Promise<RequestRecord> {
    if (decision.kind === 'REJECT') {
      if (!decision.reason) throw new McxError(ErrorCode.BAD_USER_INPUT, 'say why the request is rejected');
      return this.conclude(store, request, 'REJECTED', [], [], by, decision.reason, now);
    }
    if (decision.kind === 'APPROVE_PART') throw new McxError(ErrorCode.BAD_USER_INPUT, 'a change of services is approved or rejected whole');
    const assessment = assessToggle(await this.partnerAccess(store, request.partner, now), request.body as ServiceToggleBody, now);
    if (!assessment.ok) throw new McxError(assessment.code, `it cannot be approved: ${assessment.reason}`);
    const { changed } = await this.toggle(store, request.partner, request.body as ServiceToggleBody, by, now);
    return this.conclude(store, request, 'APPROVED', ids(changed), [], by, decision.reason, now);
  }

  private async partnerAccess(store: Store, partner: string, now: Date): Promise<EffectiveAccess> {
    const agreement = await store.agreements.get(partner);
    return resolveAccess(this.owner, systemPrincipal(partner), agreement ?? null, now);
  }

  private async assess(store: Store, request: RequestRecord, policy: RequestPolicy, now: Date): Promise<Assessment> {
    return assessMigration(await this.partnerAccess(store, request.partner, now), policy, request.body as MigrationBody, now);
  }

  /**
   * Authorises the approved users of a migration request, each with its visiting profile: the
   * services authorised, and this system's groups and aliases for visitors (from the policy).
   */
  private async authorise(store: Store, request: RequestRecord, approved: MigratingUser[], policy: RequestPolicy, now: Date): Promise<void> {
    if (approved.length === 0) return;
    const body = request.body as MigrationBody;
    await store.migrations.save(approved.map((user) => ({ ...this.authorisation('inbound', request.partner, user, body, request.id, now), groups: policy.visitorGroups, aliases: policy.visitorAliases })));
  }

  /** Records the decision and answers the requester. */
  private async conclude(
    store: Store,
    request: RequestRecord,
    status: RequestStatus,
    approved: string[],
    refused: UserVerdict[],
    decidedBy: string,
    reason: string | null,
    now: Date,
  ): Promise<RequestRecord> {
    const decided: RequestRecord = { ...request, status, outcome: { approved, refused }, decidedBy, reason, decidedAt: now };
    await store.requests.update(decided);
    await this.sharing.notifyRequest(store, request.partner, { kind: 'response', id: request.id, status, approved, refused, decidedBy, reason });
    return decided;
  }

  private authorisation(direction: 'inbound' | 'outbound', partner: string, user: MigratingUser, body: MigrationBody, requestId: string, now: Date): AuthorisationRecord {
    return {
      ...user,
      direction,
      partner,
      services: body.services,
      enabledServices: body.services,
      groups: [],
      aliases: [],
      validFrom: new Date(body.validFrom),
      validUntil: new Date(body.validUntil),
      status: 'ACTIVE',
      requestId,
      updatedAt: now,
    };
  }

  /** Ends active authorisations of a partner's users here and tells the partner. */
  private async endAuthorisations(store: Store, partner: string, userIds: string[] | null, status: 'REVOKED' | 'EXPIRED', reason: string): Promise<AuthorisationRecord[]> {
    const now = new Date();
    const ended = (await store.migrations.active('inbound', partner, userIds === null ? null : [...new Set(userIds)])).map((a) => ({ ...a, status, updatedAt: now }));
    if (ended.length === 0) return [];
    await store.migrations.save(ended);
    await this.sharing.notifyRequest(store, partner, { kind: 'authorisations.ended', userIds: ended.map((a) => a.userId), status, reason });
    return ended;
  }

  // ---- messages from partners (in the delivery's transaction) ----

  async receive(store: Store, principal: Principal, message: RequestMessage, now: Date): Promise<void> {
    const partner = principal.system;
    const action = `request.partner.${message.kind}`;
    const target = `request:${partner}${'id' in message ? `:${message.id}` : ''}`;
    switch (message.kind) {
      case 'request': {
        if (await store.requests.get('inbound', partner, message.id)) return; // the same request again: already handled
        const policy = await store.requests.policy(message.requestKind, partner);
        const request: RequestRecord = {
          id: message.id,
          direction: 'inbound',
          partner,
          kind: message.requestKind,
          status: 'PENDING',
          requester: message.requester,
          handler: message.handler,
          body: message.body,
          outcome: null,
          decidedBy: null,
          reason: null,
          createdAt: now,
          decideBy: new Date(now.getTime() + policy.pendingSeconds * 1000),
          decidedAt: null,
        };
        await store.requests.insert(request);
        await this.audit.record(principal, { action, target, result: 'OK', detail: `${message.requestKind} by ${message.requester.subject}` }, store);
        if (message.requestKind === 'services.toggle') {
          const assessment = assessToggle(await this.partnerAccess(store, partner, now), message.body as ServiceToggleBody, now);
          if (!assessment.ok) {
            await this.conclude(store, request, 'REJECTED', [], [], SYSTEM_DECIDES, assessment.reason, now);
          } else if (policy.mode === 'automatic') {
            const { changed } = await this.toggle(store, partner, message.body as ServiceToggleBody, SYSTEM_DECIDES, now);
            await this.conclude(store, request, 'APPROVED', ids(changed), [], SYSTEM_DECIDES, null, now);
          }
          return;
        }
        if (message.requestKind === 'migration.remove') {
          const userIds = (message.body as RemovalBody).userIds;
          const removed = (await store.migrations.active('inbound', partner, userIds)).map((a) => ({ ...a, status: 'REMOVED' as const, updatedAt: now }));
          await store.migrations.save(removed);
          await this.conclude(store, request, 'APPROVED', ids(removed), [], SYSTEM_DECIDES, null, now);
          return;
        }
        const handler = this.handlers.get(message.requestKind);
        if (handler) {
          const outcome = await handler.received(store, request, policy, now);
          if (outcome) await this.conclude(store, request, outcome.status, outcome.approved, outcome.refused, SYSTEM_DECIDES, outcome.reason, now);
          return;
        }
        const assessment = await this.assess(store, request, policy, now);
        // A request that cannot be approved whatever a person decides is answered at once.
        if (policy.mode === 'automatic' || !assessment.ok) {
          const decision = automaticDecision(assessment, policy);
          await this.authorise(store, request, decision.approved, policy, now);
          await this.conclude(store, request, decision.status, ids(decision.approved), decision.refused, SYSTEM_DECIDES, decision.reason, now);
        }
        return;
      }
      case 'withdraw': {
        const request = await store.requests.get('inbound', partner, message.id);
        if (!request || !isPending(request.status)) {
          await this.audit.record(principal, { action, target, result: 'FAILED', code: ErrorCode.CONFLICT, detail: `request is ${request?.status ?? 'unknown'}: decided before the withdrawal arrived` }, store);
          return;
        }
        await this.conclude(store, request, 'WITHDRAWN', [], [], `${message.kind} by ${partner}`, null, now);
        await this.audit.record(principal, { action, target, result: 'OK' }, store);
        return;
      }
      case 'response': {
        const request = await store.requests.get('outbound', partner, message.id);
        if (!request) {
          await this.audit.record(principal, { action, target, result: 'FAILED', code: ErrorCode.NOT_FOUND, detail: 'no such request was sent' }, store);
          return;
        }
        const answered: RequestRecord = { ...request, status: message.status, outcome: { approved: message.approved, refused: message.refused }, decidedBy: message.decidedBy, reason: message.reason, decidedAt: now };
        await store.requests.update(answered);
        await this.handlers.get(request.kind)?.answered(store, answered, message, now);
        if (request.kind === 'migration.authorise' && message.approved.length > 0) {
          const body = request.body as MigrationBody;
          const users = migratingUsers(body);
          await store.migrations.save(message.approved.flatMap((id) => (users.has(id) ? [this.authorisation('outbound', partner, users.get(id)!, body, request.id, now)] : [])));
        }
        if (request.kind === 'migration.remove' && message.approved.length > 0) {
          const removed = (await store.migrations.active('outbound', partner, message.approved)).map((a) => ({ ...a, status: 'REMOVED' as const, updatedAt: now }));
          await store.migrations.save(removed);
        }
        await this.audit.record(principal, { action, target, result: 'OK', detail: `${message.status} by ${message.decidedBy}` }, store);
        return;
      }
      case 'services.changed': {
        const byUser = new Map(message.changes.map((c) => [c.userId, c.enabledServices]));
        const mine = await store.migrations.active('outbound', partner, [...byUser.keys()]);
        await store.migrations.save(mine.map((a) => ({ ...a, enabledServices: byUser.get(a.userId)!, updatedAt: now })));
        await this.audit.record(principal, { action, target, result: 'OK', detail: `${mine.length} visitors' services changed` }, store);
        return;
      }
      case 'services.scheduled': {
        await store.migrations.schedule({ id: message.scheduleId, direction: 'outbound', partner, body: message.body, dueAt: new Date(message.body.at ?? now.toISOString()), status: 'PENDING', requestedBy: partner, createdAt: now });
        await this.audit.record(principal, { action, target, result: 'OK', detail: `for ${message.body.at}` }, store);
        return;
      }
      case 'authorisations.ended': {
        const ended = (await store.migrations.active('outbound', partner, message.userIds)).map((a) => ({ ...a, status: message.status, updatedAt: now }));
        await store.migrations.save(ended);
        await this.audit.record(principal, { action, target, result: 'OK', detail: `${ended.length} ${message.status}: ${message.reason}` }, store);
        return;
      }
    }
  }

  // ---- time and the agreement ----

  /** Pending requests nobody decided in time expire; scheduled changes of services are applied; authorisations end at the end of their validity. */
  async expireDue(now = new Date()): Promise<void> {
    for (const change of await this.store.migrations.scheduled({ direction: null, dueBy: now, status: 'PENDING' })) {
      await this.store.transaction(async (store) => {
        await store.migrations.markApplied(change.direction, change.partner, change.id);
        // The hosting side applies it and tells the partner; the partner's copy only records that it is done.
        if (change.direction === 'inbound') await this.toggle(store, change.partner, { ...change.body, at: null }, change.requestedBy, now);
      });
    }
    for (const request of await this.store.requests.overdue(now)) {
      await this.store.transaction(async (store) => {
        const current = await store.requests.get('inbound', request.partner, request.id);
        if (!current || !isPending(current.status)) return;
        await this.conclude(store, current, 'EXPIRED', [], [], SYSTEM_DECIDES, 'nobody decided in time', now);
        await this.audit.record(systemPrincipal(this.owner), { action: 'request.expire', target: `request:${request.partner}:${request.id}`, result: 'OK' }, store);
      });
    }
    const ended = await this.store.migrations.endedBy(now);
    if (ended.length === 0) return;
    await this.store.transaction(async (store) => {
      // Each side ends what it holds: the partner's users authorised here (and tells it), and the copy of its own users' authorisations.
      const inbound = ended.filter((a) => a.direction === 'inbound');
      for (const partner of new Set(inbound.map((a) => a.partner))) {
        await this.endAuthorisations(store, partner, inbound.filter((a) => a.partner === partner).map((a) => a.userId), 'EXPIRED', 'validity ended');
      }
      await store.migrations.save(ended.filter((a) => a.direction === 'outbound').map((a) => ({ ...a, status: 'EXPIRED' as const, updatedAt: now })));
    });
  }

  /** An agreement suspended or ended: authorisations under it end on this side (and the partner is told). */
  async agreementOutOfForce(store: Store, partner: string): Promise<void> {
    await this.endAuthorisations(store, partner, null, 'REVOKED', 'the agreement is no longer active');
    const now = new Date();
    await store.migrations.save((await store.migrations.active('outbound', partner, null)).map((a) => ({ ...a, status: 'REVOKED' as const, updatedAt: now })));
  }
}
