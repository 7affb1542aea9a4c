import { HUB_REQUESTS } from '@ledgerlink/core';
import { describe, expect, it } from 'vitest';
import { REQUEST_ROUTES } from '../src/hub/request-dispatcher.js';

/** The dispatch table is core's `HUB_REQUESTS`, not a runner-local list: every name, with its entity and action. */
describe('REQUEST_ROUTES', () => {
  it('routes exactly the request names core names, to the same entity and action', () => {
    expect(Object.keys(REQUEST_ROUTES).sort()).toEqual(Object.keys(HUB_REQUESTS).sort());
    for (const [name, { entity, action }] of Object.entries(HUB_REQUESTS)) {
      expect({ name, entity: REQUEST_ROUTES[name]?.entity, action: REQUEST_ROUTES[name]?.action }).toEqual({ name, entity, action });
    }
  });

  it('gives the export of every entity the same handler (one export flow)', () => {
    const exports = Object.values(REQUEST_ROUTES).filter((route) => route.action === 'export');
    expect(new Set(exports.map((route) => route.entity))).toEqual(new Set(['payment', 'requisition', 'vendor']));
    expect(new Set(exports.map((route) => route.handle)).size).toBe(1);
  });
});
