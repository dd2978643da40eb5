import { registerEnumType } from 'type-graphql';

export enum McServiceEnum {
  MCPTT = 'MCPTT',
  MCDATA = 'MCDATA',
  MCVIDEO = 'MCVIDEO',
}
registerEnumType(McServiceEnum, { name: 'McService', description: 'A mission-critical service.' });

export enum AccessScopeEnum {
  DIRECTORY_READ = 'DIRECTORY_READ',
  CONTACT_READ = 'CONTACT_READ',
  GROUP_CONFIG_READ = 'GROUP_CONFIG_READ',
  MIGRATION_REQUEST = 'MIGRATION_REQUEST',
  MEMBERSHIP_UPDATE = 'MEMBERSHIP_UPDATE',
  VISITOR_SERVICES_TOGGLE = 'VISITOR_SERVICES_TOGGLE',
  SECURITY_PARAMS_EXCHANGE = 'SECURITY_PARAMS_EXCHANGE',
  AUDIT_READ = 'AUDIT_READ',
}
registerEnumType(AccessScopeEnum, {
  name: 'AccessScope',
  description: 'What an owning system grants a partner under an agreement.',
  valuesConfig: {
    DIRECTORY_READ: { description: 'Read users, organisations and groups (directory basics).' },
    CONTACT_READ: { description: "Read users' personal contact data (phone, e-mail)." },
    GROUP_CONFIG_READ: { description: "Read groups' configuration: members, member limit, disabled flag." },
    MIGRATION_REQUEST: { description: 'Ask this system to authorise users to migrate here.' },
    MEMBERSHIP_UPDATE: { description: "Add or remove the partner's own users to or from groups." },
    VISITOR_SERVICES_TOGGLE: { description: "Ask to enable or disable visiting users' services." },
    SECURITY_PARAMS_EXCHANGE: { description: 'Exchange security parameters (keys, KMS URI, endpoints).' },
    AUDIT_READ: { description: 'Read audit entries of its own actions here.' },
  },
});

export enum AgreementStatusEnum {
  PROPOSED = 'PROPOSED',
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  TERMINATED = 'TERMINATED',
  EXPIRED = 'EXPIRED',
  DECLINED = 'DECLINED',
}
registerEnumType(AgreementStatusEnum, { name: 'AgreementStatus' });

export enum AuditResultEnum {
  OK = 'OK',
  DENIED = 'DENIED',
  FAILED = 'FAILED',
}
registerEnumType(AuditResultEnum, { name: 'AuditResult' });

export enum CallerKindEnum {
  ADMIN = 'admin',
  SYSTEM = 'system',
}
registerEnumType(CallerKindEnum, { name: 'CallerKind', description: 'An administrator of a system, or a system acting as a machine.' });
