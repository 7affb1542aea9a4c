import type { Ledger, LedgerItem, Payment, PaymentIssued } from '@ledgerlink/core';

const PAGE = 500;

/**
 * Recognises, in what an import reads from the ERP, the payments ledgerlink is exporting right now: items still
 * `exporting` (a call in flight, an answer lost, a write the ERP queued — Vista, QuickBooks Desktop — and not yet
 * looked up). Synced exports are recognised by their ERP id (`Ledger.getByTarget`) by the importer itself.
 *
 * The natural key (decided here, for every ERP): the same amount, and the same invoice (the ERP's bill id, or the
 * invoice number) or the same check number; and nothing that contradicts (a different check number or ERP vendor
 * id where both sides have one). An ERP id an attempt already returned matches on its own. A genuinely different
 * ERP payment of the same invoice, amount and check number while the export is in flight is taken for the export:
 * a check number is used once per bank account, so two such payments would be a double payment anyway.
 */
export class OwnExports {
  private constructor(
    private readonly byAmount: ReadonlyMap<number, Payment[]>,
    private readonly erpIds: ReadonlySet<string>,
  ) {}

  /** The tenant's exports in flight, read now. */
  static async inFlight(ledger: Ledger, tenant: string): Promise<OwnExports> {
    const byAmount = new Map<number, Payment[]>();
    const erpIds = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await ledger.list({ tenant, entity: 'payment', direction: 'export', state: 'exporting', limit: PAGE, ...(cursor === undefined ? {} : { cursor }) });
      for (const item of page.items) {
        const payment = item.record as unknown as Payment;
        byAmount.set(payment.amountCents, [...(byAmount.get(payment.amountCents) ?? []), payment]);
        for (const id of await erpIdsOf(ledger, item)) erpIds.add(id);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return new OwnExports(byAmount, erpIds);
  }

  get size(): number {
    let count = 0;
    for (const payments of this.byAmount.values()) count += payments.length;
    return count;
  }

  /** True when the ERP payment is one of these exports. */
  matches(record: PaymentIssued): boolean {
    if (this.erpIds.has(record.erpPaymentId)) return true;
    return (this.byAmount.get(record.amountCents) ?? []).some((payment) => sameNaturalKey(record, payment));
  }
}

/** The ERP ids earlier attempts of an item got back (an accepted write's ticket, a synced id before a crash). */
async function erpIdsOf(ledger: Ledger, item: LedgerItem): Promise<string[]> {
  if (item.targetId !== undefined) return [item.targetId];
  if (item.attempts === 0) return [];
  const ids: string[] = [];
  for (const attempt of await ledger.attempts(item.id)) {
    const outcome = attempt.outcome as { erpId?: unknown } | undefined;
    if (typeof outcome?.erpId === 'string') ids.push(outcome.erpId);
  }
  return ids;
}

/** The natural-key rule above, for one export and one ERP payment of the same amount. */
export function sameNaturalKey(record: PaymentIssued, payment: Payment): boolean {
  if (record.amountCents !== payment.amountCents) return false;
  const bothCheck = record.checkNumber !== undefined && payment.checkNumber !== undefined;
  if (bothCheck && record.checkNumber !== payment.checkNumber) return false;
  if (record.vendorErpId !== undefined && payment.vendor.erpId !== undefined && record.vendorErpId !== payment.vendor.erpId) return false;
  const sameInvoice =
    (record.erpInvoiceId !== undefined && record.erpInvoiceId === payment.invoice.erpId) ||
    (record.invoiceNumber !== undefined && record.invoiceNumber === payment.invoice.number);
  return sameInvoice || bothCheck;
}
