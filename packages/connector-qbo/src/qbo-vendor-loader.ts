import { Outcomes, type HubVendor, type LoadContext, type LoadItem, type Loader, type Outcome } from '@ledgerlink/core';
import type { QboApi } from './qbo-api.js';
import { createEntity, saidBy, textAt } from './qbo-create.js';
import { thrownOutcome } from './qbo-outcomes.js';
import { isQboId, property, queryLiteral } from './qbo-wire.js';

type VendorItem = LoadItem<Record<string, unknown>, HubVendor>;

const DUPLICATE_NAME = '6240';

/**
 * Hub vendors as QuickBooks vendors: `POST /vendor?requestid=…`. QuickBooks keeps no vendor code, and DisplayName
 * is unique across its customers, vendors and employees, so the name sent is the natural key `find` looks up.
 */
export class QboVendorLoader implements Loader<Record<string, unknown>, HubVendor> {
  constructor(
    private readonly api: QboApi,
    private readonly realmId: string,
  ) {}

  async load(batch: VendorItem[], _context: LoadContext): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  async find(item: VendorItem, _context: LoadContext): Promise<Outcome | null> {
    try {
      const id = await this.lookUp(item);
      return id === undefined ? null : Outcomes.synced(id, { replayed: true });
    } catch (error) {
      return thrownOutcome(error);
    }
  }

  /** The vendor with the DisplayName sent, active or not (a query filtering on Active reads both). */
  private async lookUp(item: VendorItem): Promise<string | undefined> {
    const name = textAt(item.payload, 'DisplayName') ?? item.record.name;
    const rows = await this.api.query<Record<string, unknown>>(
      `select * from Vendor where DisplayName = ${queryLiteral(name)} and Active in (true, false)`,
      'Vendor',
    );
    const match = rows.find((row) => isQboId(property(row, 'Id')) && property(row, 'DisplayName') === name);
    return match === undefined ? undefined : (match['Id'] as string);
  }

  private async loadOne(item: VendorItem): Promise<Outcome> {
    const answer = await createEntity(this.api, this.realmId, 'vendor', 'Vendor', item.payload, item.idempotencyKey);
    if (answer.kind === 'created') return Outcomes.synced(answer.id);
    if (answer.kind === 'outcome') return answer.outcome;
    const { failure } = answer;
    const name = textAt(item.payload, 'DisplayName') ?? item.record.name;
    if ((failure.fault?.errors ?? []).some((error) => error.code === DUPLICATE_NAME)) {
      // The name is taken: by a vendor (link the hub vendor to it rather than create a second) or by a customer
      // or employee (QuickBooks names are unique across all three).
      let vendorId: string | undefined;
      try {
        vendorId = await this.lookUp(item);
      } catch (error) {
        return thrownOutcome(error);
      }
      return Outcomes.rejected(
        vendorId === undefined
          ? `QuickBooks already has a customer or employee named "${name}" (names are unique across customers, vendors and employees): rename the vendor in the hub and export again. QuickBooks said: ${saidBy(failure)}`
          : `QuickBooks already has vendor "${name}" (Id ${vendorId}): link the hub vendor to it instead of creating another. QuickBooks said: ${saidBy(failure)}`,
        failure.erp,
      );
    }
    return Outcomes.rejected(`QuickBooks refused vendor "${name}": ${saidBy(failure)}`, failure.erp);
  }
}
