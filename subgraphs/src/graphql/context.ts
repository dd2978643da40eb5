import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Decision, EffectiveAccess } from '../../../domain/access.js';
import { ErrorCode, McxError } from '../../../domain/errors.js';
import type { GroupRecord, OrganisationRecord, Principal } from '../../../domain/model.js';
import { FieldDenials } from '../../../common/field-denials.js';
import type { MemberDetails } from '../services/joint-groups-service.js';
import type { SubgraphServices } from '../services/subgraph-services.js';

export interface Caller {
  principal: Principal;
  access: EffectiveAccess;
}

export interface SubgraphContext {
  /** Null when no caller assertion came with the request (only the SDL and introspection are open then). */
  caller: Caller | null;
  services: SubgraphServices;
  denials: FieldDenials;
  organisations: DataLoader<string, OrganisationRecord | null>;
  /** Visible groups of this system that an MC service ID is a member of. */
  groupsOfMember: DataLoader<string, GroupRecord[]>;
  /** Joint groups' members' details from each member's own system, keyed `system\u0000mcServiceId` (one request per system). */
  memberDetails: DataLoader<string, MemberDetails>;
}

export function createContext(services: SubgraphServices, caller: Caller | null): SubgraphContext {
  return {
    caller,
    services,
    denials: new FieldDenials(),
    organisations: new DataLoader(async (ids) => {
      const found = new Map((await services.store.organisations.getMany(ids)).map((o) => [o.id, o]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    groupsOfMember: new DataLoader(async (ids) => {
      if (caller === null) return ids.map(() => []);
      const byId = await services.groups.groupsOfMembers(caller.access, ids);
      return ids.map((id) => byId.get(id) ?? []);
    }),
    memberDetails: new DataLoader((keys) => services.jointGroups.memberDetails(keys), { maxBatchSize: 2000 }),
  };
}

/**
 * The caller's access when `decide` allows it this field; otherwise the field's denial is recorded
 * (reported once per field) and null is returned for the resolver to give.
 */
export function accessIfAllowed(context: SubgraphContext, info: GraphQLResolveInfo, decide: (access: EffectiveAccess) => Decision): EffectiveAccess | null {
  const { access } = requireCaller(context);
  const decision = decide(access);
  return decision.allowed ? access : context.denials.deny(info, decision.reason);
}

export function requireCaller(context: SubgraphContext): Caller {
  if (context.caller === null) {
    throw new McxError(ErrorCode.UNAUTHENTICATED, 'no caller assertion: call through a mutual-aid gateway this system trusts');
  }
  return context.caller;
}
