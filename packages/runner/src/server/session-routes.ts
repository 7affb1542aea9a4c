import type { Runner } from '../daemon.js';
import { permissionsOf } from '../auth/permissions.js';
import { ExportStatsQuery } from './api-schemas.js';
import { route, type ApiRoute } from './route-kit.js';

/** The most synced records read for one chart; beyond it the chart says it is partial. */
const STATS_SCAN_LIMIT = 50_000;
const PAGE = 500;

/** `/session` (who am I, what may I do) and `/stats/exports` (the console's chart). */
export function sessionRoutes(runner: Runner): ApiRoute[] {
  return [
    route({
      method: 'GET',
      url: '/session',
      tag: 'session',
      summary: 'Show the caller',
      description: 'The token\'s subject, role, approver privilege and the permissions they give; the console logs in with it.',
      permission: 'read',
      returns: '`{ subject, role, accountingApprover, permissions }`',
      async handler({ principal }) {
        if (principal === undefined) return {};
        return { ...principal, permissions: permissionsOf(principal) };
      },
    }),
    route({
      method: 'GET',
      url: '/stats/exports',
      tag: 'stats',
      summary: 'Show exports over time',
      description: 'Records synced to the ERP per time bucket over the last `hours`, per tenant, from the ledger (so the chart survives restarts).',
      permission: 'read',
      query: ExportStatsQuery,
      returns: '`{ from, to, bucketMinutes, buckets: [{ at, counts: { <tenant>: n } }], partial }`',
      async handler({ query }) {
        const to = Date.now();
        const bucketMs = query.bucketMinutes * 60_000;
        // Buckets aligned to the bucket size, so two refreshes draw the same bars.
        const first = Math.floor((to - query.hours * 3_600_000) / bucketMs) * bucketMs;
        const buckets = new Map<number, Record<string, number>>();
        for (let at = first; at <= to; at += bucketMs) buckets.set(at, {});
        let cursor: string | undefined;
        let scanned = 0;
        do {
          const page = await runner.ledger.list({
            direction: 'export',
            state: 'synced',
            limit: PAGE,
            ...(query.tenant === undefined ? {} : { tenant: query.tenant }),
            ...(cursor === undefined ? {} : { cursor }),
          });
          for (const item of page.items) {
            const at = Date.parse(item.updatedAt);
            if (at < first) continue;
            const bucket = buckets.get(Math.floor(at / bucketMs) * bucketMs);
            if (bucket !== undefined) bucket[item.tenant] = (bucket[item.tenant] ?? 0) + 1;
          }
          scanned += page.items.length;
          cursor = page.nextCursor;
        } while (cursor !== undefined && scanned < STATS_SCAN_LIMIT);
        return {
          from: new Date(first).toISOString(),
          to: new Date(to).toISOString(),
          bucketMinutes: query.bucketMinutes,
          buckets: [...buckets].map(([at, counts]) => ({ at: new Date(at).toISOString(), counts })),
          partial: cursor !== undefined,
        };
      },
    }),
  ];
}
