import type { Outcome, SandboxPayment } from '@ledgerlink/core';
import { expect } from 'vitest';

/** Asserts a `synced` outcome and returns the ERP's id of the record. */
export function expectSynced(outcome: Outcome, what: string): string {
  expect(outcome, `${what}: expected a synced outcome`).toMatchObject({ kind: 'synced' });
  if (outcome.kind !== 'synced') throw new Error('unreachable');
  expect(outcome.erpId, `${what}: a synced outcome carries the ERP's id`).toMatch(/\S/);
  return outcome.erpId;
}

/** Asserts that the outcome keeps what the ERP itself said: its own code or its own text, not empty. */
export function expectErpAnswer(outcome: Outcome, what: string): void {
  if (outcome.kind === 'synced' || outcome.kind === 'accepted') {
    throw new Error(`${what}: expected a refusal, got ${JSON.stringify(outcome)}`);
  }
  expect(outcome.message, `${what}: the outcome's message`).toMatch(/\S/);
  expect(outcome.erp, `${what}: the outcome keeps the ERP's own answer (outcome.erp)`).toBeDefined();
  const { code = '', message = '' } = outcome.erp ?? {};
  expect(`${code}${message}`.trim(), `${what}: the ERP's own code or text is kept, not empty`).not.toBe('');
}

/** Asserts exactly one payment landed and returns it. */
export function expectOneLanded(landed: SandboxPayment[], what: string): SandboxPayment {
  expect(landed, `${what}: exactly one payment in the sandbox`).toHaveLength(1);
  return landed[0] as SandboxPayment;
}

/** Asserts nothing landed: a refused payment leaves no trace in the ERP. */
export function expectNothingLanded(landed: SandboxPayment[], what: string): void {
  expect(
    landed.map((payment) => payment.erpId),
    `${what}: a refused payment leaves nothing in the sandbox`,
  ).toEqual([]);
}

/** Runs `work` and returns what it threw (or rejected with); fails when it did not throw. */
export async function thrownBy(work: () => unknown, what: string): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error(`${what}: expected an error, but it succeeded`);
}

/** The code and message of whatever was thrown; reads `code` so two installed copies of core still agree. */
export function errorShape(error: unknown): { code: string; message: string } {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown };
  return {
    code: typeof shape.code === 'string' ? shape.code : '(no code)',
    message: typeof shape.message === 'string' ? shape.message : String(error),
  };
}

/** Asserts a ledgerlink error with this stable code and returns its message. */
export function expectErrorCode(error: unknown, code: string, what: string): string {
  const shape = errorShape(error);
  expect(shape, `${what}: expected a LedgerlinkError with code ${code}`).toMatchObject({ code });
  return shape.message;
}
