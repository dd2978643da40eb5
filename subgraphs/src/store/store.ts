/** One system's store: a repository per concept, over one Kysely handle (or one transaction). */
import type { Kysely } from 'kysely';
import { AdministratorStore } from './administrator-store.js';
import { AgreementStore } from './agreement-store.js';
import { AuditStore } from './audit-store.js';
import { FeedStore } from './feed-store.js';
import { GroupStore } from './group-store.js';
import { JointGroupStore } from './joint-group-store.js';
import { OrganisationStore } from './organisation-store.js';
import { MigrationStore } from './migration-store.js';
import { ReplicaStore } from './replica-store.js';
import { RequestStore } from './request-store.js';
import type { Database } from './tables.js';
import { UserStore } from './user-store.js';

export class Store {
  readonly organisations: OrganisationStore;
  readonly users: UserStore;
  readonly groups: GroupStore;
  readonly agreements: AgreementStore;
  readonly audit: AuditStore;
  readonly feed: FeedStore;
  readonly replicas: ReplicaStore;
  readonly requests: RequestStore;
  readonly migrations: MigrationStore;
  readonly jointGroups: JointGroupStore;
  readonly administrators: AdministratorStore;

  private readonly committed: Array<() => void> = [];

  constructor(private readonly db: Kysely<Database>) {
    this.organisations = new OrganisationStore(db);
    this.users = new UserStore(db);
    this.groups = new GroupStore(db);
    this.agreements = new AgreementStore(db);
    this.audit = new AuditStore(db);
    this.feed = new FeedStore(db);
    this.replicas = new ReplicaStore(db);
    this.requests = new RequestStore(db);
    this.migrations = new MigrationStore(db);
    this.jointGroups = new JointGroupStore(db);
    this.administrators = new AdministratorStore(db);
  }

  /** Runs `work` in one transaction: all of it is stored, or none. */
  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    let inner: Store | undefined;
    const result = await this.db.transaction().execute((trx) => work((inner = new Store(trx))));
    for (const callback of inner?.committed ?? []) callback();
    return result;
  }

  /** Runs `callback` once the current transaction has committed (at once outside a transaction). */
  afterCommit(callback: () => void): void {
    if (this.db.isTransaction) this.committed.push(callback);
    else callback();
  }

  async isEmpty(): Promise<boolean> {
    const row = await this.db.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
    return row === undefined;
  }
}
