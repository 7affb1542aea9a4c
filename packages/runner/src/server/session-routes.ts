import { ApiError, ApiErrorCodes } from './api-errors.js';
import type { Runner } from '../daemon.js';
import { permissionsOf } from '../auth/permissions.js';
import { ExportStatsQuery } from './api-schemas.js';
import { route, type ApiRoute } from './route-kit.js';

/** The most synced records read for one chart; beyond it the chart says it is partial. */
const STATS_SCAN_LIMIT = 50_000;
/** The most buckets one `/stats/exports` answer has: 31 days hourly (the console asks 24 or fewer). */
export const MAX_STATS_BUCKETS = 744;
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
      description: 'Records synced to the ERP per time bucket over the last `hours`, per tenant, from the ledger (so the chart survives restarts). At most 744 buckets (`hours × 60 / bucketMinutes`): more is answered 400 with the smallest `bucketMinutes` allowed.',
      permission: 'read',
      query: ExportStatsQuery,
      returns: '`{ from, to, bucketMinutes, buckets: [{ at, counts: { <tenant>: n } }], partial }`',
      async handler({ query }) {
        // The answer's size and the work grow with the buckets: bounded, so a read-only token cannot make it costly.
        const bucketCount = Math.ceil((query.hours * 60) / query.bucketMinutes);
        if (bucketCount > MAX_STATS_BUCKETS) {
          const message = `hours × 60 / bucketMinutes must be at most ${MAX_STATS_BUCKETS} buckets (asked ${bucketCount}): for hours=${query.hours} use bucketMinutes ≥ ${Math.ceil((query.hours * 60) / MAX_STATS_BUCKETS)}`;
          throw new ApiError(ApiErrorCodes.INVALID_REQUEST, message, { where: 'query', field: 'bucketMinutes', maxBuckets: MAX_STATS_BUCKETS, issues: [{ field: 'bucketMinutes', message }] });
        }
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
