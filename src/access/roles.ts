/**
 * Who may do what. The operator (the bootstrap key from ADMIN_API_KEY) runs the service: it creates
 * clients and may act within any client. Every other key acts only within its own client(s), with one
 * role, each granting the least a job needs.
 */
export type Role = 'owner' | 'admin' | 'analyst' | 'privacy';
export const ROLES: readonly Role[] = ['owner', 'admin', 'analyst', 'privacy'];

export type Permission =
  | 'clients:create'
  | 'clients:read'
  | 'clients:write'
  | 'keys:manage'
  | 'sites:read'
  | 'sites:write'
  | 'pools:read'
  | 'pools:write'
  | 'numbers:read'
  | 'numbers:write'
  | 'numbers:reconcile'
  | 'calls:read'
  | 'privacy:read'
  | 'privacy:write'
  | 'retention:write'
  | 'audit:read'
  | 'webhooks:read'
  | 'webhooks:write';

const GRANTS: Record<Role, readonly Permission[]> = {
  // Everything for its own clients, including keys; not creating clients, not carrier-wide reconciliation.
  owner: ['clients:read', 'clients:write', 'keys:manage', 'sites:read', 'sites:write', 'pools:read', 'pools:write', 'numbers:read', 'numbers:write', 'calls:read', 'privacy:read', 'privacy:write', 'retention:write', 'audit:read',
    // Client webhooks carry the caller's number and name: only the owner sets them up and reads what was sent.
    'webhooks:read', 'webhooks:write'],
  // Sets up tracking: sites, pools, numbers. Sees no calls and no personal data.
  admin: ['clients:read', 'sites:read', 'sites:write', 'pools:read', 'pools:write', 'numbers:read', 'numbers:write'],
  // Reads results: calls and the configuration needed to read them.
  analyst: ['clients:read', 'sites:read', 'pools:read', 'numbers:read', 'calls:read'],
  // The client's data-protection officer: subject requests, retention, the audit trail.
  privacy: ['clients:read', 'sites:read', 'privacy:read', 'privacy:write', 'audit:read'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** The caller, as the authentication step established it. */
export interface Access {
  /** Safe to store and show: 'operator' or 'key:<id>'. */
  actor: string;
  role: Role | 'operator';
  keyId: string | null;
  /** The clients this caller may act for; 'all' for the operator. */
  clients: readonly string[] | 'all';
}

export const OPERATOR_ACCESS: Access = Object.freeze({ actor: 'operator', role: 'operator', keyId: null, clients: 'all' });

export function allows(access: Access, permission: Permission): boolean {
  return access.role === 'operator' || roleAllows(access.role, permission);
}

export function canActFor(access: Access, clientId: string): boolean {
  return access.clients === 'all' || access.clients.includes(clientId);
}
