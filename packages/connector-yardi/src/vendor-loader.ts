import { ErrorCodes, Outcomes, type HubVendor, type LoadContext, type LoadItem, type Loader, type Outcome } from '@ledgerlink/core';
import { thrownOutcome } from './check-loader.js';
import type { YardiConfig } from './config.js';
import { soundId } from './erp-id.js';
import { buildVendorDocument } from './payable-document.js';
import { vendorsOf } from './vendor-records.js';
import { child, childText, XmlValueError } from './yardi-xml.js';
import { erpAnswerOf, errorsOf, matchesRule, messagesOf, readResult } from './yardi-messages.js';
import type { YardiSoap } from './yardi-soap.js';

type VendorItem = LoadItem<Record<string, unknown>, HubVendor>;

/**
 * Creates one Yardi vendor per hub vendor with `ImportVendors_Login` (under the first of `vendorPropertyIds`).
 * The vendor code is the customer's (the hub vendor's `code`) and becomes the erpId. `find`: `GetVendor_Login`
 * by that code, and the vendor is this one only when the name matches.
 */
export class VendorLoader implements Loader<Record<string, unknown>, HubVendor> {
  constructor(
    private readonly soap: YardiSoap,
    private readonly config: YardiConfig,
  ) {}

  async load(batch: VendorItem[], _context: LoadContext): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  async find(item: VendorItem, _context: LoadContext): Promise<Outcome | null> {
    const code = soundId(item.payload['VendorId']);
    const name = item.payload['Name'];
    if (code === undefined || typeof name !== 'string') return null;
    try {
      const result = readResult(
        'GetVendor_Login',
        await this.soap.call('GetVendor_Login', [
          ['YardiPropertyId', this.config.vendorPropertyIds[0] ?? ''],
          ['VendorId', code],
        ]),
      );
      const match = vendorsOf(result).find((vendor) => vendor['VendorId'] === code && vendor['Name'] === name.trim());
      return match === undefined ? null : Outcomes.synced(code, { replayed: true });
    } catch (error) {
      return thrownOutcome(error, 'no');
    }
  }

  private async loadOne(item: VendorItem): Promise<Outcome> {
    const code = soundId(item.payload['VendorId']);
    if (code === undefined) {
      return Outcomes.rejected(
        `Vendor ${item.record.name}: Yardi needs the vendor's code (its VendorId, up to 8 characters): give the vendor a code in the hub, then export again.`,
        undefined,
        ErrorCodes.MAPPING_FAILED,
      );
    }
    let document: string;
    try {
      document = buildVendorDocument(item.payload);
    } catch (error) {
      if (!(error instanceof XmlValueError)) throw error;
      return Outcomes.rejected(`the vendor document cannot be written: ${error.message}; fix that field in the hub and export again`, undefined, ErrorCodes.MAPPING_FAILED);
    }
    let result;
    try {
      result = await this.soap.call('ImportVendors_Login', [
        ['YardiPropertyId', this.config.vendorPropertyIds[0] ?? ''],
        ['XmlDoc', document],
      ]);
    } catch (error) {
      return thrownOutcome(error, 'unknown');
    }
    const errors = errorsOf(messagesOf(result));
    if (errors.length > 0) {
      const erp = erpAnswerOf(errors);
      if (errors.every((error) => matchesRule(this.config.messageRules.duplicateVendor, error.code, error.text))) {
        const found = await this.find(item, { signal: new AbortController().signal });
        if (found !== null) return found;
        return Outcomes.rejected(`Yardi already has a vendor ${code} with another name: give the hub vendor another code, or link it to that Yardi vendor. Yardi said: ${erp.message}`, erp);
      }
      return Outcomes.rejected(`Yardi refused vendor ${code}. Yardi said: ${erp.message}`, erp);
    }
    const created = soundId(childText(child(child(result, 'Vendors'), 'Vendor'), 'VendorId')?.trim());
    if (created === code) return Outcomes.synced(code);
    return Outcomes.serverError(`Yardi answered ImportVendors_Login without an error and without vendor ${code}; it may exist, so it is looked up before any retry`, {
      committed: 'unknown',
      erp: { message: `Vendors/Vendor/VendorId is ${JSON.stringify(created ?? null)}, not ${code}` },
    });
  }
}
