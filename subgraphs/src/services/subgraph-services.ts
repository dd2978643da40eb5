/** The use cases of one configuration subgraph, wired to its store. */
import type { Store } from '../store/store.js';
import { AccessService } from './access-service.js';
import { AdministratorsService } from './administrators-service.js';
import { AgreementsService } from './agreements-service.js';
import { AuditLog } from './audit-log.js';
import { FeedSubscriptions } from './feed-subscriptions.js';
import { GroupsService } from './groups-service.js';
import { JointGroupsService } from './joint-groups-service.js';
import { KeyRotationService } from './key-rotation-service.js';
import { RequestsService } from './requests-service.js';
import { deliveryStatus, type DeliveryStatus, type DeliveryWorker } from './delivery-worker.js';
import { ReplicaService } from './replica-service.js';
import { SharingService } from './sharing-service.js';
import type { SystemIdentity } from './system-identity.js';
import { UsersService } from './users-service.js';

export class SubgraphServices {
  readonly access: AccessService;
  readonly audit: AuditLog;
  readonly users: UsersService;
  readonly groups: GroupsService;
  readonly agreements: AgreementsService;
  readonly sharing: SharingService;
  readonly subscriptions: FeedSubscriptions;
  readonly keyRotation: KeyRotationService;
  readonly requests: RequestsService;
  readonly jointGroups: JointGroupsService;
  readonly administrators: AdministratorsService;

  readonly replicas: ReplicaService;
  /** Set when the system delivers its feed to partners (an outbound gateway is configured). */
  delivery: DeliveryWorker | null = null;

  constructor(
    readonly identity: SystemIdentity,
    readonly store: Store,
  ) {
    this.access = new AccessService(identity.slug, store);
    this.audit = new AuditLog(store);
    this.sharing = new SharingService(identity.slug);
    this.users = new UsersService(store, this.audit, this.sharing);
    this.groups = new GroupsService(identity.slug, store, this.audit, this.sharing);
    this.agreements = new AgreementsService(identity, store, this.audit, this.sharing);
    this.requests = new RequestsService(identity.slug, store, this.audit, this.sharing);
    this.jointGroups = new JointGroupsService(identity.slug, store, this.audit, this.sharing, this.groups, this.requests, () => this.agreements.outbound);
    this.replicas = new ReplicaService(identity.slug, store, this.audit, this.agreements, this.requests, this.jointGroups);
    // What stems from an agreement is revoked when it ends: the copy of what the partner shared,
    // the partner's users in this system's groups (later also migration authorisations and visiting profiles).
    this.agreements.onEnded((trx, partner) => trx.replicas.drop(partner));
    this.agreements.onEnded(async (trx, partner) => void (await this.groups.removeMembersOfSystem(trx, partner)));
    // Migration authorisations end when the agreement is suspended too.
    this.agreements.onOutOfForce((trx, partner) => this.requests.agreementOutOfForce(trx, partner));
    // Joint groups: the partner's members leave when it is suspended or ends; it takes part again when resumed.
    this.agreements.onOutOfForce((trx, partner) => this.jointGroups.agreementOutOfForce(trx, partner, false));
    this.agreements.onEnded((trx, partner) => this.jointGroups.agreementOutOfForce(trx, partner, true));
    this.agreements.onInForce((trx, partner) => this.jointGroups.agreementInForce(trx, partner));
    this.administrators = new AdministratorsService(identity, store, this.audit, () => this.agreements.outbound?.gateway.id ?? null);
    this.subscriptions = new FeedSubscriptions(this);
    this.keyRotation = new KeyRotationService(identity, store, this.audit, this.agreements);
  }

  /** Delivery status per partner (from the feed, also when this process runs no worker). */
  deliveryStatus(): Promise<DeliveryStatus[]> {
    return deliveryStatus(this.store, this.delivery);
  }
}
