/**
 * Sandbox host for the multi-replica suite and bench (issue 12): the Procore ERP Platform hub sandbox and one ERP
 * sandbox per tenant (its own company: its own server, vendors, bank accounts and bills), in a process of their own,
 * so the runner replicas and the test driver never share an event loop with the sandboxes. Started by `harness.ts`
 * with `fork`; driven over the IPC channel like `bench/sandbox-host.ts`.
 *
 * Everything the suite asserts is counted here, from the sandboxes' own records (never a runner's ledger):
 *   - ERP payments per funded hub payment (each payment has a bill of its own, so an ERP payment's bill names it);
 *   - when each ERP payment of a watched tenant was first seen (a 20 ms scan), for takeover times;
 *   - the calls each ERP sandbox received, against the rate limit the tenant's config gives its lane.
 *
 * argv[2]: JSON `HostOptions`. Sends `{ type: 'ready', … }`, then answers `{ seq, op }` messages with `{ seq, … }`.
 */
import 'reflect-metadata';
import { createProcoreSandbox } from '@ledgerlink/connector-procore/sandbox';
import { QBO_SANDBOX_APP, QBO_SANDBOX_TOKEN_PATH, startQboSandbox } from '@ledgerlink/connector-qbo/sandbox';
import { SANDBOX_SERVICE_PATH, startYardiSandbox, YARDI_SANDBOX_LOGIN } from '@ledgerlink/connector-yardi/sandbox';
import type { ErpSandbox } from '@ledgerlink/core';

/** The ERPs the suite covers: Yardi looks a payment up before it sends (lookup idempotency); QBO keys it natively. */
export type ReplicaErp = 'yardi' | 'qbo';

/** A lane limit as the tenant's config sets it (what the sandbox holds the calls to). */
export interface LaneLimit {
  requests: number;
  intervalMs: number;
  concurrency: number;
}

export interface HostTenant {
  id: string;
  erp: ReplicaErp;
  /** The tenant's Procore company. */
  companyId: number;
  /** Payments seeded (not funded) in its company. */
  payments: number;
  limit: LaneLimit;
}

export interface HostOptions {
  tenants: HostTenant[];
  /**
   * Arrivals closer than the window by less than this still count as one window: the runner paces calls when it
   * sends them, the sandbox sees them when they arrive, and on a loaded machine the two differ by a few ms.
   */
  jitterMs: number;
}

/** What the host tells the harness once it listens. */
export interface HostReady {
  type: 'ready';
  hub: { url: string; tokenUrl: string; clientId: string; clientSecret: string };
  /** Per tenant: the environment its connection block reads (see `tenantConnection`). */
  erps: Record<string, { url: string; env: Record<string, string> }>;
  /** Per tenant: its contract payment ids, in funding order. */
  ids: Record<string, number[]>;
}

/** One tenant's sandbox-side tally. */
export interface TenantTally {
  tenant: string;
  funded: number;
  /** Funded payments with at least one ERP payment. */
  landed: number;
  /** ERP payments beyond the first for a hub payment, summed. */
  duplicates: number;
  /** Hub payment ids with more than one ERP payment (the first few). */
  duplicated: number[];
  /** Funded payments the hub's ERP tool shows as synced (closed out). */
  hubSynced: number;
  /** Funded payments the hub's ERP tool shows as failed. */
  hubFailed: number;
  /** The ERP's calls, and how many arrived beyond the lane's limit (rate: in a window; concurrency: at once). */
  requests: number;
  throttled: number;
  busiestWindow: number;
  rateViolations: number;
  maxConcurrent: number;
  /** ERP payments with no bill this tenant funded (should be 0: a payment the suite did not make). */
  strays: number;
}

export type HostRequest =
  | { seq: number; op: 'fund'; tenant: string; ids: number[] }
  | { seq: number; op: 'tally'; tenants?: string[] }
  | { seq: number; op: 'open' }
  | { seq: number; op: 'watch'; tenant: string }
  | { seq: number; op: 'landedAfter'; tenant: string; after: number }
  | { seq: number; op: 'resetStats' }
  | { seq: number; op: 'stats' }
  | { seq: number; op: 'close' };

/** What the sandboxes saw since the last `resetStats` (the bench's per-payment counts). */
export interface HostStats {
  /** Hub REST calls, by endpoint pattern. */
  hub: Record<string, number>;
  /** Webhook deliveries made, and delivery attempts (a retry after a timeout or an error counts again). */
  deliveries: number;
  deliveryAttempts: number;
  /** Requests each tenant's ERP received. */
  erp: number;
}

const send = (message: unknown): void => {
  process.send?.(message);
};

/** One tenant's world: its ERP sandbox and the bill → contract payment map that names each ERP payment. */
interface World {
  tenant: HostTenant;
  erp: ErpSandbox;
  ids: number[];
  paymentOfBill: Map<string, number>;
  funded: Set<number>;
  /**
   * Funded payments the hub does not show closed out yet (synced or failed): what `open` looks at, so that a harness
   * waiting for a run to end reads the payments still in flight, not every payment the run ever made.
   */
  open: Set<number>;
  /** ERP payment id → when the scan first saw it (ms since epoch). */
  seen: Map<string, number>;
  /** Scanned every 20 ms for `seen` (see `watch`). */
  watched: boolean;
}

const VENDORS = 5;
const PROJECT_NUMBER = 'P-100';
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Each ERP sandbox's own id styles (as the demo and the conformance tests use them). */
const STYLES: Record<ReplicaErp, { vendorId(n: number): string; bankId(n: number): string; billId(n: number): string; vendorCodeIsErpId: boolean }> = {
  yardi: { vendorId: (n) => `v${pad(n, 4)}`, bankId: (n) => `op${n}`, billId: (n) => String(50_000 + n), vendorCodeIsErpId: true },
  qbo: { vendorId: (n) => String(50 + n), bankId: (n) => String(300 + n), billId: (n) => String(7000 + n), vendorCodeIsErpId: false },
};

async function startErp(erp: ReplicaErp): Promise<{ sandbox: ErpSandbox; env: Record<string, string> }> {
  if (erp === 'yardi') {
    const sandbox = await startYardiSandbox();
    return {
      sandbox,
      env: {
        URL: `${sandbox.url}${SANDBOX_SERVICE_PATH}`,
        USER: YARDI_SANDBOX_LOGIN.userName,
        PASSWORD: YARDI_SANDBOX_LOGIN.password,
        SERVER: YARDI_SANDBOX_LOGIN.serverName,
        DATABASE: YARDI_SANDBOX_LOGIN.database,
        ENTITY: YARDI_SANDBOX_LOGIN.interfaceEntity,
        LICENSE: YARDI_SANDBOX_LOGIN.interfaceLicense,
      },
    };
  }
  const sandbox = await startQboSandbox();
  return {
    sandbox,
    env: {
      URL: sandbox.url,
      TOKEN_URL: `${sandbox.url}${QBO_SANDBOX_TOKEN_PATH}`,
      REALM_ID: QBO_SANDBOX_APP.realmId,
      CLIENT_ID: QBO_SANDBOX_APP.clientId,
      CLIENT_SECRET: QBO_SANDBOX_APP.clientSecret,
      REFRESH_TOKEN: QBO_SANDBOX_APP.refreshToken,
    },
  };
}

const options = JSON.parse(process.argv[2] ?? '{}') as HostOptions;
const hub = await createProcoreSandbox({
  rateLimit: { limit: 10_000_000 },
  // A replica that is down or paused times a delivery out; the hub retries it soon (through the balancer: another one).
  webhooks: { concurrency: 8, timeoutMs: 4_000, baseDelayMs: 300, maxDelayMs: 3_000 },
});
const worlds = new Map<string, World>();
const erpInfo: HostReady['erps'] = {};
for (const tenant of options.tenants) {
  const { sandbox, env } = await startErp(tenant.erp);
  const style = STYLES[tenant.erp];
  const company = tenant.companyId;
  hub.addCompany({ id: company, name: `${tenant.id} (Procore company)` });
  const projectId = hub.addProject({ companyId: company, projectNumber: PROJECT_NUMBER, name: 'Harbor View Tower' });
  sandbox.seed({ bankAccounts: [{ id: style.bankId(1), name: 'Operating' }, { id: style.bankId(2), name: 'Payroll' }] });
  const commitments: number[] = [];
  for (let v = 1; v <= VENDORS; v++) {
    const name = `Subcontractor ${v} of ${tenant.id}`;
    sandbox.seed({ vendors: [{ id: style.vendorId(v), name }] });
    const vendorId = hub.addVendor({ companyId: company, name, originId: style.vendorId(v), originCode: style.vendorCodeIsErpId ? style.vendorId(v) : `VC-${v}` });
    commitments.push(hub.addCommitment({ projectId, vendorId }));
  }
  const world: World = { tenant, erp: sandbox, ids: [], paymentOfBill: new Map(), funded: new Set(), open: new Set(), seen: new Map(), watched: false };
  for (let n = 1; n <= tenant.payments; n++) {
    const v = (n % VENDORS) + 1;
    const amountCents = 25_000 + ((n * 7919) % 4_000_000);
    const bankId = style.bankId(1 + (n % 2));
    const billId = style.billId(n);
    sandbox.seed({ bills: [{ id: billId, vendorId: style.vendorId(v), number: `INV-${n}`, amountCents, projectNumber: PROJECT_NUMBER }] });
    const requisitionId = hub.addRequisition({ commitmentId: commitments[v - 1] as number, invoiceNumber: `INV-${n}`, totalCents: amountCents, originId: billId });
    const id = hub.addContractPayment({
      requisitionId,
      amountCents,
      paymentMethod: 'check',
      bankId,
      // Unique per bank account: the lookup-idempotent ERP finds a payment by its bank and check number.
      checkNumber: String(10_000 + n),
      paymentNumber: `PP-${company}-${n}`,
      dateSettled: new Date().toISOString(),
    });
    world.ids.push(id);
    world.paymentOfBill.set(billId, id);
  }
  worlds.set(tenant.id, world);
  erpInfo[tenant.id] = { url: sandbox.url, env };
}

/**
 * Notes when each ERP payment of a watched tenant is first seen: the takeover time is read from these. Only the
 * tenants asked for (`watch`, before the fault) are scanned: reading a sandbox's payments builds all of them, and
 * scanning every tenant every 20 ms cost the host most of a core once the warm-up had left a few thousand payments.
 */
function scanWatched(): void {
  const now = Date.now();
  for (const world of worlds.values()) {
    if (!world.watched) continue;
    for (const payment of world.erp.payments()) if (!world.seen.has(payment.erpId)) world.seen.set(payment.erpId, now);
  }
}
const scan = setInterval(scanWatched, 20);

/** Arrivals beyond `limit.requests` in any window of `limit.intervalMs - jitterMs` (each such arrival counts once). */
function rateViolations(arrivals: number[], limit: LaneLimit, jitterMs: number): { violations: number; busiest: number } {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const windowMs = Math.max(1, limit.intervalMs - jitterMs);
  let start = 0;
  let violations = 0;
  let busiest = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    const inWindow = end - start + 1;
    busiest = Math.max(busiest, inWindow);
    if (inWindow > limit.requests) violations++;
  }
  return { violations, busiest };
}

function tally(world: World): TenantTally {
  const perPayment = new Map<number, number>();
  let strays = 0;
  for (const payment of world.erp.payments()) {
    const ids = new Set(payment.applications.map((application) => world.paymentOfBill.get(application.billId)));
    for (const id of ids) {
      if (id === undefined || !world.funded.has(id)) strays++;
      else perPayment.set(id, (perPayment.get(id) ?? 0) + 1);
    }
  }
  let duplicates = 0;
  const duplicated: number[] = [];
  for (const [id, count] of perPayment) {
    if (count > 1) {
      duplicates += count - 1;
      if (duplicated.length < 10) duplicated.push(id);
    }
  }
  let hubSynced = 0;
  let hubFailed = 0;
  for (const id of world.funded) {
    const status = hub.contractPayment(id).status;
    if (status === 'synced') hubSynced++;
    if (status === 'failed') hubFailed++;
  }
  const stats = world.erp.stats();
  const { violations, busiest } = rateViolations(stats.arrivals, world.tenant.limit, options.jitterMs);
  return {
    tenant: world.tenant.id,
    funded: world.funded.size,
    landed: perPayment.size,
    duplicates,
    duplicated,
    hubSynced,
    hubFailed,
    requests: stats.requests,
    throttled: stats.throttled,
    busiestWindow: busiest,
    rateViolations: violations + Math.max(0, stats.maxConcurrent - world.tenant.limit.concurrency),
    maxConcurrent: stats.maxConcurrent,
    strays,
  };
}

function worldOf(tenant: string): World {
  const world = worlds.get(tenant);
  if (world === undefined) throw new Error(`the sandbox host has no tenant "${tenant}" (tenants: ${[...worlds.keys()].join(', ')})`);
  return world;
}

send({ type: 'ready', hub: { url: hub.url, tokenUrl: hub.tokenUrl, clientId: hub.serviceAccount.clientId, clientSecret: hub.serviceAccount.clientSecret }, erps: erpInfo, ids: Object.fromEntries([...worlds].map(([id, world]) => [id, world.ids])) } satisfies HostReady);

/** Deliveries made before the last `resetStats`: the stats count those after. */
let deliveriesAtReset = 0;

process.on('message', (raw) => {
  const request = raw as HostRequest;
  try {
    switch (request.op) {
      case 'fund': {
        const world = worldOf(request.tenant);
        for (const id of request.ids) {
          hub.fundPayment(id, { dateFunded: new Date().toISOString() });
          world.funded.add(id);
          world.open.add(id);
        }
        send({ seq: request.seq });
        return;
      }
      case 'tally':
        send({ seq: request.seq, tallies: [...worlds.values()].filter((world) => request.tenants?.includes(world.tenant.id) ?? true).map(tally) });
        return;
      case 'open': {
        // Payments still open, per tenant. A full tally builds every ERP payment, every funded payment's hub view and
        // the sorted arrivals of every call: polled every 200 ms through a run, it cost the sandbox host about a third of
        // its CPU in the replica bench, which the replicas then lost to the machine.
        const open: Record<string, number> = {};
        for (const world of worlds.values()) {
          for (const id of world.open) {
            const status = hub.contractPayment(id).status;
            if (status === 'synced' || status === 'failed') world.open.delete(id);
          }
          open[world.tenant.id] = world.open.size;
        }
        send({ seq: request.seq, open });
        return;
      }
      case 'watch':
        // Its payments so far are stamped now, before the fault the caller is about to cause.
        worldOf(request.tenant).watched = true;
        scanWatched();
        send({ seq: request.seq });
        return;
      case 'landedAfter': {
        // The first ERP payment this tenant got at or after `after` (ms since epoch), as the scan saw it.
        const times = [...worldOf(request.tenant).seen.values()].filter((at) => at >= request.after);
        send({ seq: request.seq, at: times.length === 0 ? null : Math.min(...times) });
        return;
      }
      case 'stats': {
        const deliveries = hub.deliveries().slice(deliveriesAtReset);
        send({
          seq: request.seq,
          stats: {
            hub: hub.stats().byEndpoint,
            deliveries: deliveries.length,
            deliveryAttempts: deliveries.reduce((sum, delivery) => sum + delivery.attempts.length, 0),
            erp: [...worlds.values()].reduce((sum, world) => sum + world.erp.stats().requests, 0),
          } satisfies HostStats,
        });
        return;
      }
      case 'resetStats':
        deliveriesAtReset = hub.deliveries().length;
        hub.resetStats();
        for (const world of worlds.values()) world.erp.resetStats();
        send({ seq: request.seq });
        return;
      case 'close':
        clearInterval(scan);
        void Promise.all([hub.close(), ...[...worlds.values()].map((world) => world.erp.close())]).then(() => {
          send({ seq: request.seq });
          process.disconnect();
        });
        return;
    }
  } catch (error) {
    send({ seq: request.seq, error: error instanceof Error ? error.message : String(error) });
  }
});
