import { isRecord, json, SandboxRefusal, type Answer } from './http-io.js';
import type { DeliveryKnobs, IdInput, PaymentEdits, ProcoreSandbox, ProcoreSandboxFaults, ProcoreSandboxSeed } from './types.js';

type Control = (sandbox: ProcoreSandbox, body: Record<string, unknown>, id: string) => unknown;

/** What a person does in Procore, and what the sandbox shows, as JSON endpoints under `/_sandbox/` (no auth: local). */
const CONTROLS: { method: string; pattern: RegExp; control: Control }[] = [
  { method: 'POST', pattern: /^\/_sandbox\/seed$/, control: (s, body) => s.seed(body as ProcoreSandboxSeed) },
  { method: 'POST', pattern: /^\/_sandbox\/contract_payments\/(\d+)\/fund$/, control: (s, body, id) => s.fundPayment(id, typeof body.dateFunded === 'string' ? { dateFunded: body.dateFunded } : {}) },
  { method: 'POST', pattern: /^\/_sandbox\/contract_payments\/(\d+)\/export$/, control: (s, body, id) => s.exportPayment(id, body as PaymentEdits) },
  { method: 'GET', pattern: /^\/_sandbox\/contract_payments\/(\d+)$/, control: (s, _body, id) => s.contractPayment(id) },
  { method: 'GET', pattern: /^\/_sandbox\/contract_payments\/(\d+)\/payload$/, control: (s, _body, id) => s.contractPaymentPayload(id) },
  { method: 'POST', pattern: /^\/_sandbox\/companies\/(\d+)\/sync_payments$/, control: (s, _body, id) => s.syncPayments(id) },
  { method: 'POST', pattern: /^\/_sandbox\/companies\/(\d+)\/refresh_vendors$/, control: (s, _body, id) => s.refreshVendors(id) },
  { method: 'GET', pattern: /^\/_sandbox\/companies\/(\d+)\/erp_tool$/, control: (s, _body, id) => s.erpTool(id) },
  { method: 'GET', pattern: /^\/_sandbox\/companies\/(\d+)\/staged_records$/, control: (s, _body, id) => s.stagedRecords(id) },
  { method: 'POST', pattern: /^\/_sandbox\/vendors\/(\d+)\/export$/, control: (s, _body, id) => s.exportVendor(id) },
  { method: 'POST', pattern: /^\/_sandbox\/staged_records\/(\d+)\/import$/, control: (s, _body, id) => s.importStagedVendor(id) },
  { method: 'POST', pattern: /^\/_sandbox\/vendors\/(\d+)\/link$/, control: (s, body, id) => s.linkVendor(id, body.originId as string) },
  { method: 'POST', pattern: /^\/_sandbox\/vendors\/(\d+)\/unlink$/, control: (s, _body, id) => s.unlinkVendor(id) },
  { method: 'GET', pattern: /^\/_sandbox\/vendors\/(\d+)$/, control: (s, _body, id) => s.vendor(id) },
  { method: 'GET', pattern: /^\/_sandbox\/requisitions\/(\d+)$/, control: (s, _body, id) => s.requisition(id) },
  { method: 'POST', pattern: /^\/_sandbox\/requisitions\/(\d+)\/reset$/, control: (s, body, id) => s.resetRequisition(id, { resetOverride: body.resetOverride === true }) },
  { method: 'POST', pattern: /^\/_sandbox\/requisitions\/export$/, control: (s, body) => s.exportRequisitions(Array.isArray(body.ids) ? (body.ids as IdInput[]) : []) },
  {
    method: 'POST',
    pattern: /^\/_sandbox\/requisitions\/(\d+)\/synced$/,
    control: (s, body, id) => {
      s.markRequisitionSynced(id, body.originId as string);
      return { ok: true };
    },
  },
  { method: 'POST', pattern: /^\/_sandbox\/invoice_payments\/(\d+)\/reset$/, control: (s, body, id) => s.resetPayment(id, { resetOverride: body.resetOverride === true }) },
  { method: 'GET', pattern: /^\/_sandbox\/erp_requests\/(\d+)$/, control: (s, _body, id) => s.erpRequest(id) ?? null },
  { method: 'GET', pattern: /^\/_sandbox\/deliveries$/, control: (s) => s.deliveries() },
  {
    method: 'POST',
    pattern: /^\/_sandbox\/deliveries\/knobs$/,
    control: (s, body) => {
      s.setDeliveryKnobs(body as Partial<DeliveryKnobs>);
      return { ok: true };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_sandbox\/faults$/,
    control: (s, body) => {
      s.setFaults(body as Partial<ProcoreSandboxFaults>);
      return { ok: true };
    },
  },
  { method: 'GET', pattern: /^\/_sandbox\/stats$/, control: (s) => s.stats() },
  {
    method: 'POST',
    pattern: /^\/_sandbox\/stats\/reset$/,
    control: (s) => {
      s.resetStats();
      return { ok: true };
    },
  },
  {
    method: 'POST',
    pattern: /^\/_sandbox\/tokens\/expire$/,
    control: (s) => {
      s.expireAccessTokens();
      return { ok: true };
    },
  },
];

/** Routes one `/_sandbox/` call; a refusal answers with its status and `{ "error": text }`. */
export function handleControl(sandbox: ProcoreSandbox, method: string, path: string, body: unknown): Answer {
  for (const candidate of CONTROLS) {
    const match = candidate.pattern.exec(path);
    if (match === null || candidate.method !== method) continue;
    try {
      return json(200, candidate.control(sandbox, isRecord(body) ? body : {}, match[1] ?? ''));
    } catch (error) {
      if (error instanceof SandboxRefusal) return json(error.status, { error: error.message });
      throw error;
    }
  }
  return json(404, { error: `no sandbox control matches ${method} ${path}` });
}
