import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OPERATOR_ACCESS, ROLES, allows, canActFor, roleAllows, type Access, type Permission, type Role } from './roles';

/** Every permission, once: tsc fails here when one is added to roles.ts and not to this list (or the docs). */
const EVERY_PERMISSION: Record<Permission, true> = {
  'clients:create': true,
  'clients:read': true,
  'clients:write': true,
  'keys:manage': true,
  'sites:read': true,
  'sites:write': true,
  'pools:read': true,
  'pools:write': true,
  'numbers:read': true,
  'numbers:write': true,
  'numbers:reconcile': true,
  'calls:read': true,
  'privacy:read': true,
  'privacy:write': true,
  'retention:write': true,
  'audit:read': true,
  'webhooks:read': true,
  'webhooks:write': true,
};
const PERMISSIONS = Object.keys(EVERY_PERMISSION) as Permission[];
const granted = (role: Role) => PERMISSIONS.filter((p) => roleAllows(role, p));
const keyOf = (role: Role, clients: string[]): Access => ({ actor: 'key:k1', role, keyId: 'k1', clients });

describe('roles', () => {
  it('when asking what each role may do, then each has exactly the least its job needs', () => {
    // Act / Assert
    expect(granted('owner')).toEqual(PERMISSIONS.filter((p) => p !== 'clients:create' && p !== 'numbers:reconcile'));
    expect(granted('admin')).toEqual(['clients:read', 'sites:read', 'sites:write', 'pools:read', 'pools:write', 'numbers:read', 'numbers:write']);
    expect(granted('analyst')).toEqual(['clients:read', 'sites:read', 'pools:read', 'numbers:read', 'calls:read']);
    expect(granted('privacy')).toEqual(['clients:read', 'sites:read', 'privacy:read', 'privacy:write', 'audit:read']);
  });

  it('when a permission is about the whole service (clients, carrier reconciliation), then no client key has it', () => {
    for (const role of ROLES) {
      expect(roleAllows(role, 'clients:create')).toBe(false);
      expect(roleAllows(role, 'numbers:reconcile')).toBe(false);
    }
  });

  it('when a key is not the owner, then it cannot manage keys or change retention, and admin and privacy keys cannot read calls', () => {
    for (const role of ['admin', 'analyst', 'privacy'] as const) {
      expect(roleAllows(role, 'keys:manage')).toBe(false);
      expect(roleAllows(role, 'retention:write')).toBe(false);
    }
    expect(roleAllows('admin', 'calls:read')).toBe(false);
    expect(roleAllows('privacy', 'calls:read')).toBe(false);
  });

  it('when the caller is the operator, then every permission is allowed and every client may be acted for', () => {
    for (const p of PERMISSIONS) expect(allows(OPERATOR_ACCESS, p)).toBe(true);
    expect(canActFor(OPERATOR_ACCESS, 'any-client')).toBe(true);
    expect(Object.isFrozen(OPERATOR_ACCESS)).toBe(true);
  });

  it('when a key acts for some clients, then it may act for those and no other', () => {
    // Arrange
    const agency = keyOf('owner', ['client-a', 'client-c']);

    // Act / Assert
    expect(canActFor(agency, 'client-a')).toBe(true);
    expect(canActFor(agency, 'client-c')).toBe(true);
    expect(canActFor(agency, 'client-b')).toBe(false);
    expect(allows(agency, 'keys:manage')).toBe(true);
    expect(allows(keyOf('analyst', ['client-a']), 'pools:write')).toBe(false);
  });

  it('when docs/security.md lists what each role may do, then its table says exactly what roles.ts grants', () => {
    // Arrange: rows such as "| `sites:write` | ... | yes | yes | no | no | yes |"
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
    const header = doc.split('\n').find((l) => /^\|\s*permission\s*\|/i.test(l));
    expect(header).toBeDefined();
    const columns = (header as string).split('|').map((c) => c.trim().toLowerCase());
    const rows = doc.split('\n').filter((l) => /^\|\s*`[a-z]+:[a-z]+`\s*\|/.test(l));

    // Act
    const documented = Object.fromEntries(
      rows.map((row) => {
        const cells = row.split('|').map((c) => c.trim());
        const permission = cells[1].replace(/`/g, '');
        return [permission, Object.fromEntries([...ROLES, 'operator'].map((role) => [role, cells[columns.indexOf(role)]]))];
      }),
    );

    // Assert
    expect(Object.keys(documented).sort()).toEqual([...PERMISSIONS].sort());
    for (const p of PERMISSIONS) {
      for (const role of ROLES) expect(`${p} ${role}: ${documented[p][role]}`).toBe(`${p} ${role}: ${roleAllows(role, p) ? 'yes' : 'no'}`);
      expect(`${p} operator: ${documented[p].operator}`).toBe(`${p} operator: yes`);
    }
  });
});
