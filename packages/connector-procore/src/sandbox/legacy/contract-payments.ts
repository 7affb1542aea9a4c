import { readAmount } from './amounts.js';
import { HubRefusal, wireTime, type ContractPayment, type HubData } from './hub-data.js';

/**
 * `POST /rest/v1.0/contract_payments` `{project_id, contract_id, contract_payment{…}}`: Procore's rules as the
 * sandbox keeps them. A repeated `origin_id` in the company is a 409 conflict; nothing is written twice.
 */
export function createContractPayment(data: HubData, body: unknown, now: Date): ContractPayment {
  if (typeof body !== 'object' || body === null) throw new HubRefusal(400, { message: 'The request body must be a JSON object' });
  const request = body as Record<string, unknown>;
  const fields = request.contract_payment;
  if (typeof fields !== 'object' || fields === null) throw new HubRefusal(400, { message: 'param is missing or the value is empty: contract_payment' });
  const input = fields as Record<string, unknown>;
  const project = data.projects.get(Number(request.project_id));
  if (project === undefined) throw new HubRefusal(404, { message: `Project ${String(request.project_id)} not found` });
  const contract = data.commitments.get(Number(request.contract_id));
  if (contract === undefined || contract.projectId !== project.id) {
    throw new HubRefusal(404, { message: `Contract ${String(request.contract_id)} not found in project ${project.id}` });
  }

  const problems: Record<string, string[]> = {};
  const amountCents = readAmount(input.amount);
  if (amountCents === undefined) problems.amount = ['is not a number'];
  else if (amountCents <= 0) problems.amount = ['must be greater than 0'];
  const date = typeof input.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(input.date) && !Number.isNaN(Date.parse(input.date)) ? input.date : undefined;
  if (date === undefined) problems.date = ["can't be blank"];
  let requisitionId: number | undefined;
  if (input.requisition_id !== undefined && input.requisition_id !== null) {
    requisitionId = Number(input.requisition_id);
    const requisition = data.invoices.get(requisitionId);
    if (requisition === undefined || requisition.commitmentId !== contract.id) problems.requisition_id = ['is invalid'];
  }
  const method = input.payment_method;
  if (method !== undefined && method !== null && method !== 'ach' && method !== 'check') problems.payment_method = ['is not included in the list'];
  if (Object.keys(problems).length > 0) throw new HubRefusal(422, { errors: problems });

  const originId = typeof input.origin_id === 'string' && input.origin_id !== '' ? input.origin_id : undefined;
  if (originId !== undefined) {
    for (const existing of data.contractPayments.values()) {
      const existingCompany = data.projects.get(existing.projectId)?.companyId;
      if (existing.originId === originId && existingCompany === project.companyId) {
        throw new HubRefusal(409, { errors: { origin_id: ['has already been taken'] } });
      }
    }
  }
  const payment: ContractPayment = {
    id: data.newId(),
    projectId: project.id,
    contractId: contract.id,
    amountCents: amountCents as number,
    date: date as string,
    createdAt: wireTime(now),
  };
  if (requisitionId !== undefined) payment.requisitionId = requisitionId;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const optional = {
    checkNumber: text(input.check_number),
    invoiceNumber: text(input.invoice_number),
    paymentNumber: text(input.payment_number),
    notes: text(input.notes),
    paymentMethod: text(method),
    originId,
    originData: text(input.origin_data),
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (payment as unknown as Record<string, unknown>)[key] = value;
  data.contractPayments.set(payment.id, payment);
  return payment;
}
