import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CORE_VERSION } from '@ledgerlink/core';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_CONNECTORS } from '../src/plugins/built-in-connectors.js';

/**
 * One source per version: a connector's manifest reads its version from its package.json, and the core range it
 * declares is the peer range npm enforces. The testkit takes core by range and vitest as a peer, never pinned or
 * shipped as a runtime dependency.
 */
const packages = resolve(import.meta.dirname, '../..');

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const read = (dir: string): PackageJson => JSON.parse(readFileSync(join(packages, dir, 'package.json'), 'utf8')) as PackageJson;

describe('connector versions', () => {
  for (const connector of BUILT_IN_CONNECTORS) {
    const { id, version, coreRange } = connector.manifest;
    it(`${id}: the manifest's version and core range are its package.json's version and @ledgerlink/core peer range`, () => {
      const manifest = read(`connector-${id}`);
      expect(version).toBe(manifest.version);
      expect(coreRange).toBe(manifest.peerDependencies?.['@ledgerlink/core']);
      expect(semver.satisfies(CORE_VERSION, coreRange)).toBe(true);
    });
  }

  it('the ERP connectors take core as a peer only (one copy of core in a runner), never as a dependency', () => {
    for (const connector of BUILT_IN_CONNECTORS.filter((c) => c.manifest.id !== 'procore')) {
      expect(read(`connector-${connector.manifest.id}`).dependencies?.['@ledgerlink/core'], connector.manifest.id).toBeUndefined();
    }
  });

  it('the testkit takes core by range and vitest as a peer, neither as a runtime dependency', () => {
    const kit = read('connector-testkit');
    expect(kit.dependencies?.['@ledgerlink/core']).toBeUndefined();
    expect(kit.dependencies?.vitest).toBeUndefined();
    expect(kit.peerDependencies?.['@ledgerlink/core']).toMatch(/^\^/);
    expect(kit.peerDependencies?.vitest).toMatch(/^\^/);
    expect(semver.satisfies(CORE_VERSION, kit.peerDependencies?.['@ledgerlink/core'] ?? '')).toBe(true);
  });
});
