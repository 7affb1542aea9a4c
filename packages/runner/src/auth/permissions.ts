import type { ApiToken } from '../config/schema.js';

/** A role from the config, as seed 003 names them (Read Only, Standard, Admin). */
export type Role = ApiToken['role'];

/** Who is calling: the token's subject, its role and whether the approver privilege applies. */
export interface Principal {
  subject: string;
  role: Role;
  /**
   * "Can Push to Accounting" in effect. Seed 003: an accounting approver is a user with Standard or Admin
   * permission who has been granted the privilege, so a read-only token with the flag is not one.
   */
  accountingApprover: boolean;
}

/** What a route asks of its caller. Each maps to a row of seed 003's matrix (see README-api.md). */
export type Permission =
  /** View records, their history, tenants, lanes, schedules, stats. */
  | 'read'
  /** Edit check number / bank ID of a failed record and export it again ("Send, Retrieve, or Resend Items"). */
  | 'resend'
  /** Accept or reject a record for export to the ERP. */
  | 'approve'
  /** On-demand sync of paid payments from the ERP ("Sync Paid Invoice Notifications"; seed 002). */
  | 'import'
  /** Configure the sync schedule. */
  | 'schedule'
  /** Enable or disable ERP direct exports. */
  | 'exports';

const RANK: Record<Role, number> = { read_only: 1, standard: 2, admin: 3 };

/** The whole matrix in one place: each permission as a test of the principal. */
const RULES: Record<Permission, (principal: Principal) => boolean> = {
  read: (p) => RANK[p.role] >= RANK.read_only,
  resend: (p) => RANK[p.role] >= RANK.standard,
  approve: (p) => p.accountingApprover,
  import: (p) => p.role === 'admin' || p.accountingApprover,
  schedule: (p) => p.role === 'admin',
  exports: (p) => p.role === 'admin',
};

/** What each permission needs, in words, for the 403's message. */
export const PERMISSION_NEEDS: Record<Permission, string> = {
  read: 'a read_only, standard or admin token',
  resend: 'a standard or admin token',
  approve: 'the accounting approver privilege (a standard or admin token with accountingApprover: true)',
  import: 'an admin token or the accounting approver privilege',
  schedule: 'an admin token',
  exports: 'an admin token',
};

export function can(principal: Principal, permission: Permission): boolean {
  return RULES[permission](principal);
}

/** Every permission the principal holds (the console shows only the actions it may take). */
export function permissionsOf(principal: Principal): Permission[] {
  return (Object.keys(RULES) as Permission[]).filter((permission) => can(principal, permission));
}

/** The principal a configured token stands for. */
export function principalOf(token: Pick<ApiToken, 'subject' | 'role' | 'accountingApprover'>): Principal {
  return { subject: token.subject, role: token.role, accountingApprover: token.accountingApprover && token.role !== 'read_only' };
}
