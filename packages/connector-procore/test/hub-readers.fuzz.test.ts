import { HubVendor, isLedgerlinkError, Requisition, type ErpRequest } from '@ledgerlink/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readHubVendor, readVendorLinks } from '../src/hub-vendors.js';
import { readRequisitionBatch, readRequisitionReset } from '../src/requisitions.js';

const RUNS = Number(process.env.LEDGERLINK_FUZZ_RUNS ?? 300);

/** Values that have broken readers before: blanks, exponent and over-precise money, floats, huge and negative ids. */
const nasty = fc.oneof(
  fc.constantFrom(' ', '', '\t', ' 12 ', '1e3', '10.555', '-1', '0', '0.0', '10.0', '500.0', '99999999999999999999', '1,000.00', 'NaN', '12a', '2021-03-31', '2021-02-30'),
  fc.constantFrom(1e308, 2 ** 53 + 1, -3, 1.5, 0, 7, Number.MAX_SAFE_INTEGER, null, true, false),
  fc.constantFrom([], {}, [null], { id: ' ' }),
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.double(),
);
const value = fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof(value, arbitrary);

const lineWire = fc.record(
  {
    procore_requisition_item_id: value,
    amount: value,
    retainage_this_period: value,
    cost_code_origin_id: value,
    commitment_item_origin_id: value,
    line_item_type_origin_id: value,
    description: value,
  },
  { requiredKeys: [] },
);
const requisitionWire = fc.record(
  {
    procore_requisition_id: value,
    invoice_number: value,
    code: value,
    billing_date: value,
    contract_id: value,
    contract_origin_id: value,
    job_origin_id: value,
    line_items: maybe(fc.array(maybe(lineWire), { maxLength: 4 })),
  },
  { requiredKeys: [] },
);
const vendorWire = fc.record(
  { id: value, name: value, company: value, origin_code: value, abbreviated_name: value, address: value, city: value, state_code: value, zip: value, country_code: value, email_address: value, business_phone: value, is_active: value, origin_id: value },
  { requiredKeys: [] },
);

function requestOf(requestName: string, data: unknown): ErpRequest {
  return { id: '9001', companyId: '4264', requestName, data: typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : { raw: data }, createdAt: '' };
}

/** Runs a reader: its value, or the LedgerlinkError it threw; anything else thrown fails the property. */
function outcome<T>(read: () => T): { value: T } | { refused: true } {
  try {
    return { value: read() };
  } catch (error) {
    if (!isLedgerlinkError(error)) throw error;
    return { refused: true };
  }
}

const isId = (id: unknown): boolean => typeof id === 'string' && /^\d+$/.test(id);
const isNonBlank = (text: unknown): boolean => typeof text === 'string' && text.trim() === text && text !== '';

describe('the hub readers of requisitions and vendors, fuzzed: only LedgerlinkErrors, blank ids never ids, money exact', () => {
  it('create_requisitions: every candidate id is an id, every origin id non-blank, totals are the lines\' exact sums', () => {
    fc.assert(
      fc.property(maybe(fc.record({ requisitions: maybe(fc.array(maybe(requisitionWire), { maxLength: 4 })) }, { requiredKeys: [] })), (data) => {
        const read = outcome(() => readRequisitionBatch(requestOf('create_requisitions', data)));
        if (!('value' in read)) return;
        for (const { candidate, id } of read.value) {
          if ('id' in candidate) expect(isId(candidate.id) && candidate.id === id).toBe(true);
          const commitment = candidate.commitment as Record<string, unknown>;
          if ('id' in commitment) expect(isId(commitment.id)).toBe(true);
          if ('erpId' in commitment) expect(isNonBlank(commitment.erpId)).toBe(true);
          const lines = candidate.lines as Record<string, unknown>[];
          let total = 0;
          let retainage = 0;
          for (const line of lines) {
            if ('id' in line) expect(isId(line.id)).toBe(true);
            for (const key of ['costCodeOriginId', 'commitmentItemOriginId', 'costTypeOriginId']) if (key in line) expect(isNonBlank(line[key])).toBe(true);
            expect(Number.isSafeInteger(line.amountCents) && Number.isSafeInteger(line.retainageCents)).toBe(true);
            total += line.amountCents as number;
            retainage += line.retainageCents as number;
          }
          expect([candidate.totalCents, candidate.retainageCents]).toEqual([total, retainage]);
          // Whatever validates has a real id and a non-blank number.
          const checked = Requisition.safeParse({ ...candidate, vendor: { id: '1', name: 'V' }, project: { id: '2', number: 'P' } });
          if (checked.success) expect(isId(checked.data.id) && isNonBlank(checked.data.number)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('create_vendor: an id is an id, text is trimmed and non-blank, a valid vendor has both', () => {
    fc.assert(
      fc.property(maybe(fc.record({ vendor: maybe(vendorWire) }, { requiredKeys: [] })), (data) => {
        const read = outcome(() => readHubVendor(requestOf('create_vendor', data)));
        if (!('value' in read)) return;
        const vendor = read.value;
        if ('id' in vendor) expect(isId(vendor.id)).toBe(true);
        for (const key of ['name', 'code', 'email', 'phone']) if (key in vendor) expect(isNonBlank(vendor[key])).toBe(true);
        const checked = HubVendor.safeParse(vendor);
        if (checked.success) expect(isId(checked.data.id) && isNonBlank(checked.data.name)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('link_vendor / link_all_vendors / unlink_vendor: a link always has a vendor id and a non-blank ERP vendor id', () => {
    const link = fc.record({ id: value, origin_id: value }, { requiredKeys: [] });
    fc.assert(
      fc.property(
        fc.constantFrom('link_vendor', 'link_all_vendors', 'unlink_vendor', 'sync_vendors', ' '),
        maybe(fc.record({ vendor: maybe(link), vendors: maybe(fc.array(maybe(link), { maxLength: 3 })) }, { requiredKeys: [] })),
        (name, data) => {
          const read = outcome(() => readVendorLinks(requestOf(name, data)));
          if (!('value' in read)) return;
          expect(read.value.length).toBeGreaterThan(0);
          for (const entry of read.value) {
            expect(isId(entry.vendorId)).toBe(true);
            expect(entry.linked).toBe(name !== 'unlink_vendor');
            if (entry.linked || entry.originId !== undefined) expect(isNonBlank(entry.originId)).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('reset_requisition: the requisition id is an id, the origin id non-blank when present', () => {
    fc.assert(
      fc.property(maybe(fc.record({ requisition_id: value, project_id: value, requisition_origin_id: value, reset_override: value }, { requiredKeys: [] })), (data) => {
        const read = outcome(() => readRequisitionReset(requestOf('reset_requisition', data)));
        if (!('value' in read)) return;
        expect(isId(read.value.requisitionId)).toBe(true);
        if (read.value.projectId !== undefined) expect(isId(read.value.projectId)).toBe(true);
        if (read.value.originId !== undefined) expect(isNonBlank(read.value.originId)).toBe(true);
        expect(typeof read.value.resetOverride).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  });
});
