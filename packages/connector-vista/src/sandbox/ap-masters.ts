/**
 * The sandbox's AP invoice (`invoices`) and vendor (`vendors`) data objects: the checks the Direct API can make
 * at POST time (shape, lengths, amounts that add up) and Vista's rules when the queued action reaches the
 * database (vendor on file and active, invoice number not used for that vendor, vendor number free). Field
 * names follow Vista's AP import columns (bAPHB / bAPLB, APVM) as erp-reference §6.1 lists them; the Direct
 * API's own names are not public ([U]).
 */
import type { SandboxBill, SandboxVendor, SandboxVendorInput } from '@ledgerlink/core';
import type { ApCompany, Problem } from './ap-company.js';
import { fromCents, toCents } from './amounts.js';
import type { ObjectRow } from './xchange.js';

/** Column sizes ([V] APRef 15 and Description 30 in bAPHB; the rest [I] from the vendor master). */
export const LENGTHS = { APRef: 15, Description: 30, LineDescription: 60, Name: 60, Address: 60, City: 30, State: 4, Zip: 12, Country: 2, Phone: 20, EMail: 60, TaxId: 12 } as const;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface InvoiceLine {
  APLine: number;
  LineType: number;
  Description?: string;
  GrossAmt: string;
  Retainage: string;
  Job?: string;
  Phase?: string;
  JCCType?: string;
  SL?: string;
  SLItem?: string;
}

export interface InvoiceDraft {
  APCo: number;
  VendorGroup: number;
  Vendor: string;
  APRef: string;
  Description?: string;
  InvDate: string;
  DueDate?: string;
  InvTotal: string;
  Lines: InvoiceLine[];
}

type Body = Record<string, unknown>;

function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text checks shared by both objects: required, at most `max` characters. */
function texts(body: Body, problems: Problem[]) {
  return (field: string, options: { required?: boolean; max?: number } = {}): string | undefined => {
    const value = body[field];
    if (value === undefined || value === null || value === '') {
      if (options.required) problems.push({ field, message: `The ${field} field is required.` });
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push({ field, message: `${field} must be text.` });
      return undefined;
    }
    if (options.max !== undefined && value.length > options.max) problems.push({ field, message: `${field} must be at most ${options.max} characters.` });
    return value;
  };
}

function checkCompany(company: ApCompany, body: Body, problems: Problem[], fields: ('APCo' | 'VendorGroup')[]): void {
  for (const field of fields) {
    if (body[field] !== company.apCompany) problems.push({ field, message: `${field === 'APCo' ? 'AP Company' : 'Vendor Group'} ${String(body[field])} is not set up for this subscriber.` });
  }
}

function validDate(text: string | undefined): boolean {
  return text !== undefined && ISO_DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

/** `actions/create` on `invoices`: what the API refuses at POST time. */
export function validateInvoice(company: ApCompany, body: unknown): { draft: InvoiceDraft } | { problems: Problem[] } {
  if (!isBody(body)) return { problems: [{ field: '(body)', message: 'The request body must be a JSON object.' }] };
  const problems: Problem[] = [];
  const text = texts(body, problems);
  checkCompany(company, body, problems, ['APCo', 'VendorGroup']);
  const vendor = text('Vendor', { required: true });
  const apRef = text('APRef', { required: true, max: LENGTHS.APRef });
  const description = text('Description', { max: LENGTHS.Description });
  const invDate = text('InvDate', { required: true });
  if (invDate !== undefined && !validDate(invDate)) problems.push({ field: 'InvDate', message: `${invDate} is not a valid date (YYYY-MM-DD).` });
  const dueDate = text('DueDate');
  if (dueDate !== undefined && !validDate(dueDate)) problems.push({ field: 'DueDate', message: `${dueDate} is not a valid date (YYYY-MM-DD).` });
  const total = toCents(body.InvTotal);
  if (total === undefined || total <= 0) problems.push({ field: 'InvTotal', message: 'Invoice Total must be a positive amount with at most two decimals.' });
  const raw = Array.isArray(body.Lines) ? body.Lines : [];
  if (raw.length === 0) problems.push({ field: 'Lines', message: 'At least one invoice line is required.' });
  const lines: InvoiceLine[] = [];
  let gross = 0;
  raw.forEach((entry: unknown, index) => {
    const line = isBody(entry) ? entry : {};
    const amount = toCents(line.GrossAmt);
    const retainage = line.Retainage === undefined ? 0 : toCents(line.Retainage);
    const at = `Lines[${index}]`;
    if (amount === undefined) problems.push({ field: `${at}.GrossAmt`, message: 'Gross Amount must be an amount with at most two decimals.' });
    if (retainage === undefined) problems.push({ field: `${at}.Retainage`, message: 'Retainage must be an amount with at most two decimals.' });
    else if (amount !== undefined && retainage > amount) problems.push({ field: `${at}.Retainage`, message: `Retainage ${fromCents(retainage)} exceeds the Gross Amount ${fromCents(amount)}.` });
    const lineText = texts(line, problems);
    const lineDescription = lineText('Description', { max: LENGTHS.LineDescription });
    gross += amount ?? 0;
    lines.push({
      APLine: typeof line.APLine === 'number' && Number.isInteger(line.APLine) ? line.APLine : index + 1,
      LineType: typeof line.LineType === 'number' ? line.LineType : 1,
      ...(lineDescription === undefined ? {} : { Description: lineDescription }),
      GrossAmt: fromCents(amount ?? 0),
      Retainage: fromCents(retainage ?? 0),
      ...Object.fromEntries((['Job', 'Phase', 'JCCType', 'SL', 'SLItem'] as const).flatMap((field) => (typeof line[field] === 'string' && line[field] !== '' ? [[field, line[field]]] : []))),
    });
  });
  if (total !== undefined && problems.length === 0 && gross !== total) {
    problems.push({ field: 'InvTotal', message: `The lines' Gross Amounts (${fromCents(gross)}) do not add up to the Invoice Total (${fromCents(total)}).` });
  }
  if (problems.length > 0) return { problems };
  return {
    draft: {
      APCo: company.apCompany,
      VendorGroup: company.apCompany,
      Vendor: vendor as string,
      APRef: apRef as string,
      ...(description === undefined ? {} : { Description: description }),
      InvDate: invDate as string,
      ...(dueDate === undefined ? {} : { DueDate: dueDate }),
      InvTotal: fromCents(total as number),
      Lines: lines,
    },
  };
}

/** The queued invoice reaching Vista: vendor on file and active, the invoice number free for that vendor. */
export function applyInvoice(company: ApCompany, draft: InvoiceDraft): { row: ObjectRow } | { problems: Problem[] } {
  const vendor = company.vendors.get(draft.Vendor);
  if (vendor === undefined) return { problems: [{ field: 'Vendor', message: `Vendor ${draft.Vendor} is not on file in vendor group ${draft.VendorGroup}.` }] };
  if (vendor.ActiveYN !== 'Y') return { problems: [{ field: 'Vendor', message: `Vendor ${draft.Vendor} is inactive.` }] };
  const twin = [...company.transactions.values()].find((transaction) => transaction.vendorId === draft.Vendor && transaction.number === draft.APRef);
  if (twin !== undefined) {
    return { problems: [{ field: 'APRef', message: `Invoice ${draft.APRef} already exists for vendor ${draft.Vendor} (AP Trans ${twin.id}).` }] };
  }
  const apTrans = String(company.nextTrans++);
  const retainage = draft.Lines.reduce((sum, line) => sum + (toCents(line.Retainage) ?? 0), 0);
  const row: ObjectRow = { KeyID: apTrans, APTrans: apTrans, ...structuredClone(draft) };
  // Retainage is held: what a payment may pay now is the gross less the retainage.
  company.transactions.set(apTrans, { id: apTrans, vendorId: draft.Vendor, number: draft.APRef, openCents: (toCents(draft.InvTotal) ?? 0) - retainage, row });
  return { row };
}

export interface VendorDraft {
  VendorGroup: number;
  Vendor: string;
  Name: string;
  ActiveYN: 'Y' | 'N';
  extra: Record<string, string>;
}

/** `actions/create` on `vendors`: what the API refuses at POST time. */
export function validateVendor(company: ApCompany, body: unknown): { draft: VendorDraft } | { problems: Problem[] } {
  if (!isBody(body)) return { problems: [{ field: '(body)', message: 'The request body must be a JSON object.' }] };
  const problems: Problem[] = [];
  const text = texts(body, problems);
  checkCompany(company, body, problems, ['VendorGroup']);
  const vendor = text('Vendor', { required: true });
  // bVendor is a number: up to six digits in the vendor master.
  if (vendor !== undefined && !/^[1-9]\d{0,5}$/.test(vendor)) problems.push({ field: 'Vendor', message: `Vendor ${vendor} must be a number from 1 to 999999.` });
  const name = text('Name', { required: true, max: LENGTHS.Name });
  const active = body.ActiveYN ?? 'Y';
  if (active !== 'Y' && active !== 'N') problems.push({ field: 'ActiveYN', message: 'ActiveYN must be Y or N.' });
  const extra: Record<string, string> = {};
  for (const field of ['Address', 'City', 'State', 'Zip', 'Country', 'Phone', 'EMail', 'TaxId'] as const) {
    const value = text(field, { max: LENGTHS[field] });
    if (value !== undefined) extra[field] = value;
  }
  if (problems.length > 0) return { problems };
  return { draft: { VendorGroup: company.apCompany, Vendor: vendor as string, Name: name as string, ActiveYN: active as 'Y' | 'N', extra } };
}

export function applyVendor(company: ApCompany, draft: VendorDraft): { row: ObjectRow } | { problems: Problem[] } {
  const holder = company.vendors.get(draft.Vendor);
  if (holder !== undefined) return { problems: [{ field: 'Vendor', message: `Vendor ${draft.Vendor} already exists in vendor group ${draft.VendorGroup} (${holder.Name}).` }] };
  return { row: company.addVendorRow(draft.Vendor, draft.Name, draft.ActiveYN === 'Y', true, draft.extra).fields };
}

/** A vendor entered in Vista directly; its number is the code, else the next free one. */
export function addDirectVendor(company: ApCompany, input: SandboxVendorInput): ObjectRow {
  let vendor = input.code;
  for (let n = 10_001; vendor === undefined; n++) if (!company.vendors.has(String(n))) vendor = String(n);
  return company.addVendorRow(vendor, input.name, input.active, false).fields;
}

export function sandboxVendors(company: ApCompany): SandboxVendor[] {
  return [...company.vendors.values()].map((vendor) => ({
    erpId: vendor.Vendor,
    name: vendor.Name,
    code: vendor.Vendor,
    active: vendor.ActiveYN === 'Y',
    created: vendor.created,
    fields: structuredClone(vendor.fields) as Record<string, unknown>,
  }));
}

export function sandboxBills(company: ApCompany): SandboxBill[] {
  return [...company.transactions.values()].map((transaction) => {
    const row = transaction.row as (ObjectRow & InvoiceDraft) | undefined;
    if (row === undefined) {
      return { erpId: transaction.id, vendorId: transaction.vendorId, number: transaction.number, amountCents: transaction.totalCents ?? transaction.openCents, lines: [], created: false, fields: {} };
    }
    return {
      erpId: transaction.id,
      vendorId: transaction.vendorId,
      number: transaction.number,
      amountCents: toCents(row.InvTotal) ?? 0,
      retainageCents: row.Lines.reduce((sum, line) => sum + (toCents(line.Retainage) ?? 0), 0),
      date: row.InvDate,
      lines: row.Lines.map((line) => ({
        amountCents: toCents(line.GrossAmt) ?? 0,
        ...(line.Description === undefined ? {} : { description: line.Description }),
        ...(line.Phase === undefined ? {} : { costCode: line.Phase }),
      })),
      created: true,
      fields: structuredClone(row) as Record<string, unknown>,
    };
  });
}
