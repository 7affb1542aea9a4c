/**
 * The AP invoice and vendor data objects as this client uses them: requisitions become AP invoices (found again
 * by vendor + invoice number, then total and date), hub vendors become vendor master records (found again by
 * vendor group + vendor number, then name), and the vendor cache is read back for vendor import.
 */
import { parseCents, type HubVendor, type Requisition } from '@ledgerlink/core';
import type { VistaConfig } from './config.js';
import { QueuedLoader } from './queued-loader.js';
import { VistaExtractor, MAX_PAGES_PER_RUN } from './vista-extractor.js';
import type { CacheFilter, VistaApi } from './vista-wire.js';

interface InvoiceKey {
  vendor: string;
  apRef: string;
  totalCents: number;
  date: string;
}

interface VendorKey {
  vendor: string;
  name: string;
}

function cents(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseCents(value);
  } catch {
    return undefined;
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

export function vendorGroupOf(config: VistaConfig): number {
  return config.vendorGroup ?? config.apCompany;
}

export function createInvoiceLoader(api: VistaApi, config: VistaConfig, now: () => Date): QueuedLoader<Requisition, InvoiceKey> {
  const group = vendorGroupOf(config);
  return new QueuedLoader<Requisition, InvoiceKey>(
    {
      what: 'invoice',
      api: api.forObject(config.invoiceObject ?? 'invoices'),
      header: { APCo: config.apCompany, VendorGroup: group },
      keyOf: (item) => {
        const vendor = text(item.payload.Vendor);
        const apRef = text(item.payload.APRef);
        const totalCents = cents(item.payload.InvTotal);
        const date = text(item.payload.InvDate);
        if (vendor === undefined || apRef === undefined || date === undefined) return 'the mapped Vendor, APRef or InvDate is missing';
        if (totalCents === undefined) return `the mapped InvTotal ${JSON.stringify(item.payload.InvTotal)} is not an exact amount (format: money)`;
        return { vendor, apRef, totalCents, date };
      },
      filters: (key): CacheFilter[] => [
        { field: 'APCo', operator: 'eq', value: String(config.apCompany) },
        { field: 'VendorGroup', operator: 'eq', value: String(group) },
        { field: 'Vendor', operator: 'eq', value: key.vendor },
        { field: 'APRef', operator: 'eq', value: key.apRef },
      ],
      matches: (record, key) =>
        text(record.Vendor) === key.vendor && record.APRef === key.apRef && cents(record.InvTotal) === key.totalCents && record.InvDate === key.date,
      idOf: (record) => record.APTrans,
      describe: (key) => `invoice ${key.apRef} of vendor ${key.vendor}`,
      duplicateField: 'APRef',
      setting: 'invoiceObject',
    },
    now,
  );
}

export function createVendorLoader(api: VistaApi, config: VistaConfig, now: () => Date): QueuedLoader<HubVendor, VendorKey> {
  const group = vendorGroupOf(config);
  return new QueuedLoader<HubVendor, VendorKey>(
    {
      what: 'vendor',
      api: api.forObject(config.vendorObject ?? 'vendors'),
      header: { VendorGroup: group },
      keyOf: (item) => {
        const vendor = text(item.payload.Vendor);
        const name = text(item.payload.Name);
        return vendor === undefined || name === undefined ? 'the mapped Vendor or Name is missing' : { vendor, name };
      },
      filters: (key) => [
        { field: 'VendorGroup', operator: 'eq', value: String(group) },
        { field: 'Vendor', operator: 'eq', value: key.vendor },
      ],
      matches: (record, key) => text(record.Vendor) === key.vendor && record.Name === key.name,
      idOf: (record) => (typeof record.Vendor === 'number' ? String(record.Vendor) : record.Vendor),
      describe: (key) => `vendor ${key.vendor} (${key.name})`,
      duplicateField: 'Vendor',
      setting: 'vendorObject',
    },
    now,
  );
}

export function createVendorExtractor(api: VistaApi, config: VistaConfig, maxPagesPerRun = MAX_PAGES_PER_RUN): VistaExtractor {
  return new VistaExtractor(api.forObject(config.vendorObject ?? 'vendors'), config.apCompany, maxPagesPerRun, {
    what: 'vendors',
    base: { field: 'VendorGroup', operator: 'eq', value: String(vendorGroupOf(config)) },
    keep: () => true,
  });
}
