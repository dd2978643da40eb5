/** Reading and changing a system's users, with the caller's access applied. */
import { randomUUID } from 'node:crypto';
import { decideOwnerOnly, requireAllowed, userVisible, visibleOrganisations, type EffectiveAccess } from '../../../domain/access.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import { serviceIdsOf, type McService, type Principal, type UserRecord } from '../../../domain/model.js';
import {
  validateEmail,
  validateKmsUri,
  validateMcServiceId,
  validatePhone,
  validateServices,
  validateText,
} from '../../../domain/validation.js';
import type { Store } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import { pageOfVisible } from './paging.js';
import type { SharingService } from './sharing-service.js';

export interface UserInput {
  displayName: string;
  organisationId: string;
  mcpttId: string | null;
  mcdataId: string | null;
  mcvideoId: string | null;
  functionalAliases: string[];
  enabledServices: string[];
  securityDomain: string;
  phone: string | null;
  email: string | null;
}

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly sharing: SharingService,
  ) {}

  /**
   * Users the caller may see, in display-name order. Rows outside the caller's grant are never
   * returned (they are filtered before paging where the store can, after otherwise).
   */
  async list(access: EffectiveAccess, filter: { organisationId: string | null; search: string | null; limit: number; offset: number }): Promise<UserRecord[]> {
    const allowed = visibleOrganisations(access);
    let organisations: string[] | null = filter.organisationId === null ? allowed : [filter.organisationId];
    if (allowed !== null && organisations !== null) organisations = organisations.filter((o) => allowed.includes(o));
    if (access.isOwner) return this.store.users.list({ organisations, search: filter.search, limit: filter.limit, offset: filter.offset });
    return pageOfVisible((batch) => this.store.users.list({ organisations, search: filter.search, ...batch }), (user) => userVisible(access, user), filter);
  }

  /** One user by id or by any of its MC service IDs; null when absent or not visible to the caller. */
  async find(access: EffectiveAccess, key: { id?: string | null; mcServiceId?: string | null }): Promise<UserRecord | null> {
    const user = key.id ? await this.store.users.get(key.id) : key.mcServiceId ? await this.store.users.findByServiceId(key.mcServiceId) : undefined;
    if (!user || !userVisible(access, user)) return null;
    return user;
  }

  /** The users holding these MC service IDs that the caller may see, each once. */
  async findMany(access: EffectiveAccess, mcServiceIds: readonly string[]): Promise<UserRecord[]> {
    const users = new Map([...(await this.store.users.findByServiceIds(mcServiceIds)).values()].map((u) => [u.id, u]));
    return [...users.values()].filter((user) => userVisible(access, user));
  }

  private async validate(input: UserInput, store: Store, selfId: string | null): Promise<Omit<UserRecord, 'id' | 'createdAt' | 'updatedAt'>> {
    const displayName = validateText(input.displayName, 'displayName');
    if (!(await store.organisations.get(input.organisationId))) {
      throw new McxError(ErrorCode.BAD_USER_INPUT, `unknown organisation ${input.organisationId}`, { field: 'organisationId' });
    }
    const ids = { mcpttId: input.mcpttId, mcdataId: input.mcdataId, mcvideoId: input.mcvideoId };
    for (const [field, value] of Object.entries(ids)) if (value !== null) validateMcServiceId(value, field);
    const held = serviceIdsOf(ids);
    if (held.length === 0) throw new McxError(ErrorCode.BAD_USER_INPUT, 'a user needs at least one MC service ID');
    const values = held.map(([, id]) => id);
    if (new Set(values).size !== values.length) {
      throw new McxError(ErrorCode.BAD_USER_INPUT, 'a user needs a different MC service ID per service');
    }
    for (const [, id] of held) {
      const owner = await store.users.findByServiceId(id);
      if (owner && owner.id !== selfId) throw new McxError(ErrorCode.CONFLICT, `MC service ID ${id} is already assigned to another user`);
    }
    const enabled = validateServices(input.enabledServices, 'enabledServices');
    const missing = enabled.filter((service) => !held.some(([s]) => s === service));
    if (missing.length > 0) {
      throw new McxError(ErrorCode.BAD_USER_INPUT, `cannot enable ${missing.join(', ')} for a user without an MC service ID for it`, { field: 'enabledServices' });
    }
    const aliases = [...new Set(input.functionalAliases.map((alias) => validateMcServiceId(alias, 'functional alias')))];
    return {
      displayName,
      organisationId: input.organisationId,
      ...ids,
      functionalAliases: aliases,
      enabledServices: enabled,
      securityDomain: validateKmsUri(input.securityDomain),
      phone: validatePhone(input.phone),
      email: validateEmail(input.email),
    };
  }

  async create(access: EffectiveAccess, principal: Principal, input: UserInput): Promise<UserRecord> {
    return this.audit.audited(principal, 'user.create', `user:${input.mcpttId ?? input.mcdataId ?? input.mcvideoId ?? '?'}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'create users'));
      const now = new Date();
      const user: UserRecord = { id: `u-${randomUUID()}`, ...(await this.validate(input, store, null)), createdAt: now, updatedAt: now };
      await store.users.insert(user);
      await this.sharing.userChanged(store, null, user);
      return user;
    });
  }

  async update(access: EffectiveAccess, principal: Principal, id: string, input: UserInput): Promise<UserRecord> {
    return this.audit.audited(principal, 'user.update', `user:${id}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'change users'));
      const existing = await store.users.get(id);
      if (!existing) throw new McxError(ErrorCode.NOT_FOUND, `no user ${id}`);
      const user: UserRecord = { ...existing, ...(await this.validate(input, store, id)), updatedAt: new Date() };
      await store.users.update(user);
      await this.sharing.userChanged(store, existing, user);
      return user;
    });
  }

  async setServices(access: EffectiveAccess, principal: Principal, id: string, services: McService[]): Promise<UserRecord> {
    return this.audit.audited(principal, 'user.services', `user:${id}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'enable or disable services of users'));
      const existing = await store.users.get(id);
      if (!existing) throw new McxError(ErrorCode.NOT_FOUND, `no user ${id}`);
      const input: UserInput = { ...existing, enabledServices: services };
      const user: UserRecord = { ...existing, ...(await this.validate(input, store, id)), updatedAt: new Date() };
      await store.users.update(user);
      await this.sharing.userChanged(store, existing, user);
      return user;
    });
  }

  async remove(access: EffectiveAccess, principal: Principal, id: string): Promise<boolean> {
    return this.audit.audited(principal, 'user.delete', `user:${id}`, async (store) => {
      requireAllowed(decideOwnerOnly(access, 'remove users'));
      const existing = await store.users.get(id);
      if (!existing) throw new McxError(ErrorCode.NOT_FOUND, `no user ${id}`);
      await store.users.delete(id);
      await this.sharing.userChanged(store, existing, null);
      return true;
    });
  }
}
