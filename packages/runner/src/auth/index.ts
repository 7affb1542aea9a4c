export { hashToken, TokenAuthenticator } from './token-auth.js';
export { can, permissionsOf, principalOf, PERMISSION_NEEDS } from './permissions.js';
export type { Permission, Principal, Role } from './permissions.js';
