import { createHash } from 'node:crypto';
import type { CredentialStore } from './contracts.js';

/**
 * A rotated credential remembered for the configured one it descends from: the key names the configured value by
 * a digest, so an operator who reconnects and configures a new refresh token starts from it, not from an older
 * rotation. `latest` is the newest value to use.
 */
export function rotatingCredential(store: CredentialStore | undefined, name: string, configured: string): { latest: string; save(value: string): void } {
  const key = `${name}:${createHash('sha256').update(configured).digest('hex').slice(0, 16)}`;
  return {
    latest: store?.get(key) ?? configured,
    save: (value) => store?.set(key, value),
  };
}
