/** The use cases of one configuration subgraph, wired to its store. */
import type { Store } from '../store/store.js';
import { AccessService } from './access-service.js';
import { AgreementsService } from './agreements-service.js';
import { AuditLog } from './audit-log.js';
import { GroupsService } from './groups-service.js';
import type { SystemIdentity } from './system-identity.js';
import { UsersService } from './users-service.js';

export class SubgraphServices {
  readonly access: AccessService;
  readonly audit: AuditLog;
  readonly users: UsersService;
  readonly groups: GroupsService;
  readonly agreements: AgreementsService;

  constructor(
    readonly identity: SystemIdentity,
    readonly store: Store,
  ) {
    this.access = new AccessService(identity.slug, store);
    this.audit = new AuditLog(store);
    this.users = new UsersService(store, this.audit);
    this.groups = new GroupsService(identity.slug, store, this.audit);
    this.agreements = new AgreementsService(identity.slug, store, this.audit);
  }
}
