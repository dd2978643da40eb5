/**
 * Enforcement of the contract's @access directive at the gateway (the first line; every subgraph
 * re-applies the same rules):
 * - before execution, each root field is mapped to its owning system and the caller's access there
 *   is loaded (AccessCache);
 * - a mutation field the caller may not use refuses the whole operation before anything is sent;
 * - on queries, mercurius-auth calls `applyPolicy` for every protected field value: a denied value
 *   becomes null and is recorded once per field (see common/field-denials.ts).
 * The gateway decides per scope; restrictions to organisations, groups and services are applied to
 * rows by the owning subgraph.
 */
import {
  GraphQLError,
  Kind,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { decideOwnerOnly, mayUse, type Decision, type EffectiveAccess } from '../../domain/access.js';
import { ErrorCode, McxError } from '../../domain/errors.js';
import type { AccessScope, Principal } from '../../domain/model.js';
import { FieldDenials } from '../../common/field-denials.js';
import type { AccessCache } from './access-cache.js';
import { SignInLimit } from './sign-in-limit.js';

export interface AccessRequirement {
  requires: AccessScope | null;
  ownerOnly: boolean;
}

/** What the gateway keeps per request. */
export interface RequestAccess {
  /** Response key of each root field -> owning system. */
  ownerByKey: Map<string, string>;
  accessByOwner: Map<string, EffectiveAccess>;
  denials: FieldDenials;
}

export interface GatewayContext {
  principal: Principal | null;
  mcx?: RequestAccess;
  reply?: { request: { body?: unknown; query?: unknown; ip?: string } };
}

const requirementCache = new WeakMap<DirectiveNode, AccessRequirement>();

export function requirementOf(directive: DirectiveNode): AccessRequirement {
  let requirement = requirementCache.get(directive);
  if (requirement === undefined) {
    requirement = { requires: null, ownerOnly: false };
    for (const argument of directive.arguments ?? []) {
      if (argument.name.value === 'requires' && argument.value.kind === Kind.ENUM) requirement.requires = argument.value.value as AccessScope;
      if (argument.name.value === 'ownerOnly' && argument.value.kind === Kind.BOOLEAN) requirement.ownerOnly = argument.value.value;
    }
    requirementCache.set(directive, requirement);
  }
  return requirement;
}

export function decide(access: EffectiveAccess, requirement: AccessRequirement, what: string): Decision {
  if (requirement.ownerOnly) return decideOwnerOnly(access, what);
  return requirement.requires === null ? { allowed: true } : mayUse(access, requirement.requires);
}

function operationOf(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** Root fields of an operation (through fragments): response key -> field name, and the field selections. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  out: Array<{ key: string; name: string; selectionSet: SelectionSetNode | undefined }> = [],
  seen = new Set<string>(),
) {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      out.push({ key: selection.alias?.value ?? selection.name.value, name: selection.name.value, selectionSet: selection.selectionSet });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFields(selection.selectionSet, fragments, out, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) rootFields(fragment.selectionSet, fragments, out, seen);
    }
  }
  return out;
}

function fieldNames(selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>): string[] {
  return selectionSet ? rootFields(selectionSet, fragments).map((f) => f.name) : [];
}

function requestedOperationName(context: GatewayContext): string | undefined {
  const body = context.reply?.request.body as { operationName?: unknown } | undefined;
  const query = context.reply?.request.query as { operationName?: unknown } | undefined;
  const name = body?.operationName ?? query?.operationName;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}

export class GatewayAccessPolicy {
  private readonly signIns = new SignInLimit();

  constructor(private readonly accessCache: AccessCache) {}

  /** mercurius preExecution hook. */
  async prepare(schema: GraphQLSchema, document: DocumentNode, context: GatewayContext): Promise<void> {
    const operation = operationOf(document, requestedOperationName(context));
    if (!operation) return; // graphql-js reports the missing or ambiguous operation
    const fragments = new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
    );
    const roots = rootFields(operation.selectionSet, fragments);
    const systems = roots.filter((root) => !root.name.startsWith('__'));
    if (context.principal === null) {
      // Without a token: introspection, and signing in (the owning system checks the password and issues the token).
      const signInOnly = operation.operation === 'mutation' && systems.every((root) => fieldNames(root.selectionSet, fragments).every((name) => name === 'signIn' || name === '__typename'));
      if (systems.length > 0 && !signInOnly) {
        throw new McxError(ErrorCode.UNAUTHENTICATED, 'send "Authorization: Bearer <token>" (an administrator\'s or a system\'s token, or sign in with signIn); only introspection and signIn are open without one');
      }
      const wait = systems.length > 0 ? this.signIns.attempt(context.reply?.request.ip ?? 'unknown') : null;
      if (wait !== null) throw new McxError(ErrorCode.RATE_LIMITED, `too many sign-in attempts from this address: try again in ${wait} s`, { retryAfterSeconds: wait });
      return;
    }
    const principal = context.principal;
    const ownerByKey = new Map<string, string>();
    for (const root of systems) ownerByKey.set(root.key, root.name);
    const owners = [...new Set(ownerByKey.values())];
    const accessByOwner = new Map(await Promise.all(owners.map(async (owner) => [owner, await this.accessCache.accessAt(owner, principal)] as const)));
    context.mcx = { ownerByKey, accessByOwner, denials: new FieldDenials() };

    if (operation.operation === 'mutation') {
      const mutationsType = schema.getType('SystemMutations') as GraphQLObjectType | undefined;
      const refused: string[] = [];
      for (const root of systems) {
        const access = accessByOwner.get(root.name)!;
        for (const name of fieldNames(root.selectionSet, fragments)) {
          const directive = mutationsType?.getFields()[name]?.astNode?.directives?.find((d) => d.name.value === 'access');
          if (!directive) continue;
          const decision = decide(access, requirementOf(directive), name);
          if (!decision.allowed) refused.push(`${root.name}.${name}: ${decision.reason}`);
        }
      }
      if (refused.length > 0) {
        // The owning system never sees this request: the gateway's log is where the attempt is recorded.
        console.warn(`[gateway] refused mutation by ${principal.kind} ${principal.subject} of ${principal.system}: ${refused.join('; ')}`);
        throw new McxError(ErrorCode.FORBIDDEN, `Refused, nothing was changed: ${refused.join('; ')}`);
      }
    }
  }

  /**
   * mercurius-auth applyPolicy: true resolves the value; a denied value gets the field's one shared
   * error (see FieldDenials.located), so 50 denied values cost one error, not 50.
   */
  applyPolicy = (directive: DirectiveNode, _parent: unknown, _args: unknown, context: GatewayContext, info: GraphQLResolveInfo): true | GraphQLError => {
    const request = context.mcx;
    if (request === undefined) return new GraphQLError('no access context', { extensions: { code: ErrorCode.FORBIDDEN_FIELD } });
    let path = info.path;
    while (path.prev !== undefined) path = path.prev;
    const owner = request.ownerByKey.get(String(path.key));
    const access = owner === undefined ? undefined : request.accessByOwner.get(owner);
    if (access === undefined) return request.denials.located(info, 'the owning system is not known');
    const decision = decide(access, requirementOf(directive), info.fieldName);
    return decision.allowed ? true : request.denials.located(info, decision.reason);
  };
}
