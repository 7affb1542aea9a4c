import { Capabilities } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CHECKS, ENTITY_CHECKS, PAYMENT_CHECKS, planChecks } from '../src/index.js';

const full = Capabilities.parse({
  entities: { payment: ['export', 'import'], requisition: ['export'], vendor: ['export', 'import'] },
  partialPayments: true,
  maxBatch: 1,
  rateLimit: { requests: 10, intervalMs: 1_000, concurrency: 2 },
  idempotency: 'native',
});

const modes = (plans: ReturnType<typeof planChecks>) => Object.fromEntries(plans.map((plan) => [plan.check, plan.mode]));

describe('planChecks', () => {
  it('runs every check, in order, for a connector that declares everything and skips nothing', () => {
    const plans = planChecks(full);
    expect(plans.map((plan) => plan.check)).toEqual([...CONFORMANCE_CHECKS]);
    expect(new Set(plans.map((plan) => plan.mode))).toEqual(new Set(['run']));
  });

  it('turns what is not declared into refusal checks, saying what is missing', () => {
    const plans = planChecks({ ...full, entities: { payment: ['export'] }, partialPayments: false });
    expect(modes(plans)).toMatchObject({ import: 'refusal', 'partial-payment': 'refusal', export: 'run', config: 'run' });
    expect(plans.find((plan) => plan.check === 'import')).toMatchObject({ missing: 'payment import is not declared' });
  });

  it('makes every export check a refusal check when payment export is not declared', () => {
    const plans = planChecks({ ...full, entities: { ...full.entities, payment: ['import'] } });
    const refused = plans.filter((plan) => plan.mode === 'refusal').map((plan) => plan.check);
    expect(refused).toEqual(PAYMENT_CHECKS.filter((check) => check !== 'config' && check !== 'import'));
    expect(modes(plans)).toMatchObject({ config: 'run', import: 'run' });
  });

  it('keeps a written reason, trimmed, for a skippable check', () => {
    const plans = planChecks(full, { throttling: '  QuickBooks Desktop answers one session at a time  ' });
    expect(plans.find((plan) => plan.check === 'throttling')).toEqual({
      check: 'throttling',
      mode: 'not-applicable',
      reason: 'QuickBooks Desktop answers one session at a time',
    });
  });

  it('refuses a skip without a written reason', () => {
    const plan = planChecks(full, { 'unknown-bank': '   ' }).find((entry) => entry.check === 'unknown-bank');
    expect(plan).toMatchObject({ mode: 'invalid-skip', problem: expect.stringContaining('needs a written reason') });
  });

  it('refuses to skip a check that every connector must pass, and says what to declare instead', () => {
    const plans = planChecks(full, { 'partial-payment': 'no partial payments here', 'commit-then-drop': 'hard' });
    expect(plans.find((plan) => plan.check === 'partial-payment')).toMatchObject({
      mode: 'invalid-skip',
      problem: expect.stringContaining('declare partialPayments: false'),
    });
    expect(plans.find((plan) => plan.check === 'commit-then-drop')).toMatchObject({ mode: 'invalid-skip' });
  });

  it('refuses a skip of a check that is already a refusal check, and a skip of an unknown check', () => {
    const plans = planChecks({ ...full, entities: { payment: ['export'] } }, { import: 'no import', 'throttle-test': 'typo' });
    expect(plans.find((plan) => plan.check === 'import')).toMatchObject({
      mode: 'invalid-skip',
      problem: expect.stringContaining('already a refusal check'),
    });
    expect(plans.find((plan) => plan.check === 'throttle-test')).toMatchObject({
      mode: 'invalid-skip',
      problem: expect.stringContaining('not a conformance check'),
    });
  });

  it('plans one refusal check per undeclared entity × direction, with the connector’s unsupported reason', () => {
    const plans = planChecks({
      ...full,
      entities: { payment: ['export', 'import'], vendor: ['import'] },
      unsupported: { requisition: { export: 'the ERP keeps AP bills in a module this project cannot reach' } },
    });
    expect(plans.filter((plan) => (ENTITY_CHECKS as readonly string[]).includes(plan.check))).toEqual([
      { check: 'requisition-export', mode: 'refusal', missing: 'requisition export is not declared: the ERP keeps AP bills in a module this project cannot reach' },
      { check: 'vendor-export', mode: 'refusal', missing: 'vendor export is not declared' },
      { check: 'vendor-import', mode: 'run' },
    ]);
  });

  it('refuses any skip of a per-entity check: the ERP’s limits are declared, not skipped', () => {
    const plans = planChecks({ ...full, entities: { payment: ['export', 'import'], requisition: ['export'] } }, {
      'requisition-unknown-vendor': 'the ERP creates vendors on the fly',
      'vendor-import': 'no vendor list',
    });
    expect(plans.find((plan) => plan.check === 'requisition-unknown-vendor')).toMatchObject({
      mode: 'invalid-skip',
      problem: expect.stringContaining('capabilities.unsupported.requisition.export'),
    });
    expect(plans.find((plan) => plan.check === 'vendor-import')).toMatchObject({ mode: 'invalid-skip', problem: expect.stringContaining('already a refusal check') });
  });
});
