import { ErrorCodes } from '@ledgerlink/core';
import { expect } from 'vitest';
import { expectErrorCode, thrownBy } from '../assertions.js';
import type { CheckDefinition } from './types.js';

/** A valid config connects; an invalid one is refused before any call, naming the field; bad credentials are LL_ERP_AUTH. */
export const configCheck: CheckDefinition = {
  async run(harness) {
    const { invalidConfig, badCredentials } = harness.options;
    await harness.withRuntime((runtime) => runtime.check());

    const before = harness.requests();
    const error = await thrownBy(
      () => harness.withRuntime((runtime) => runtime.check(), { config: invalidConfig.config(harness.sandbox) }),
      'an invalid config',
    );
    const message = expectErrorCode(error, ErrorCodes.CONNECTOR_CONFIG_INVALID, 'an invalid config');
    expect(message, `the invalid config's error names the field "${invalidConfig.field}"`).toContain(invalidConfig.field);
    expect(harness.requests(), 'an invalid config is refused before any call to the ERP').toBe(before);

    if (badCredentials !== undefined) {
      const authError = await thrownBy(
        () => harness.withRuntime((runtime) => runtime.check(), { config: badCredentials(harness.sandbox) }),
        'wrong credentials',
      );
      expectErrorCode(authError, ErrorCodes.ERP_AUTH, 'check() with wrong credentials');
    }
  },
};
