import { ENTITY_DEFINITIONS, type Entity, type LedgerItem } from '@ledgerlink/core';

/**
 * The columns the API and the console show for a record, whatever its entity: a payment, a requisition (the
 * subcontractor invoice, an AP bill) and a vendor have different fields, so each entity says which of its fields
 * fill them. Absent where the entity has no such field (a vendor has no amount).
 */
export interface RecordSummary {
  entity: Entity;
  /** What the record is, capitalised for a title: "Payment", "Requisition", "Vendor". */
  label: string;
  /** Its number: a payment's invoice number, a requisition's invoice number, a vendor's code in the ERP. */
  number?: string;
  /** The vendor's name (a vendor record: its own name). */
  vendor?: string;
  /** Integer cents: a payment's amount, a requisition's total this period. */
  amountCents?: number;
  checkNumber?: string;
  bankId?: string;
}

type Columns = Omit<RecordSummary, 'entity' | 'label'>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function cents(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

function field(record: Record<string, unknown>, ...path: string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Per entity, its columns from a stored record of either direction (exports are the hub's records, imports the
 * ERP's). A new entity adds its row here (the `Record<Entity, …>` type asks for it).
 */
const COLUMNS: Readonly<Record<Entity, (record: Record<string, unknown>) => Columns>> = {
  payment: (record) => ({
    number: text(field(record, 'invoice', 'number')) ?? text(record.invoiceNumber),
    vendor: text(field(record, 'vendor', 'name')) ?? text(record.vendorName),
    amountCents: cents(record.amountCents),
    checkNumber: text(record.checkNumber),
    bankId: text(record.bankId),
  }),
  requisition: (record) => ({
    number: text(record.number),
    vendor: text(field(record, 'vendor', 'name')),
    amountCents: cents(record.totalCents),
  }),
  vendor: (record) => ({
    number: text(record.code),
    vendor: text(record.name),
  }),
};

/** The summary of one ledger item (absent columns left out, so the JSON carries only what the entity has). */
export function recordSummary(item: Pick<LedgerItem, 'entity' | 'record'>): RecordSummary {
  const { label } = ENTITY_DEFINITIONS[item.entity];
  const columns = COLUMNS[item.entity](item.record);
  const present = Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined)) as Columns;
  return { entity: item.entity, label: `${label.charAt(0).toUpperCase()}${label.slice(1)}`, ...present };
}

/** A ledger item as the API shows it: the item, and its summary for lists and titles. */
export function itemView<T extends LedgerItem>(item: T): T & { summary: RecordSummary } {
  return { ...item, summary: recordSummary(item) };
}
