import { ErrorCodes, HttpTransportError, LedgerlinkError, type ExtractContext, type ExtractPage, type Extractor } from '@ledgerlink/core';
import type { YardiConfig } from './config.js';
import { vendorsOf } from './vendor-records.js';
import { readResult } from './yardi-messages.js';
import type { YardiSoap } from './yardi-soap.js';

/**
 * The import of Yardi's vendors: `GetVendors_Login` once per `vendorPropertyIds` entry (one page each; Yardi's
 * reads have no page tokens), or once with an empty property id. A vendor serving several properties comes once
 * per run. Vendors change in place, so each run reads them all; within a run the cursor `{"next":n}` names the
 * next property, so a stopped run goes on from there; the last page's cursor is `{"next":0}`.
 */
export class VendorExtractor implements Extractor {
  constructor(
    private readonly soap: YardiSoap,
    private readonly config: YardiConfig,
  ) {}

  async *pages(context: ExtractContext): AsyncIterable<ExtractPage> {
    const properties = this.config.vendorPropertyIds.length > 0 ? this.config.vendorPropertyIds : [''];
    const start = startOf(context.cursor, properties.length);
    const seen = new Set<string>();
    for (let index = start; index < properties.length; index++) {
      let result;
      try {
        result = readResult('GetVendors_Login', await this.soap.call('GetVendors_Login', [['YardiPropertyId', properties[index]]]));
      } catch (error) {
        if (error instanceof HttpTransportError) {
          throw new LedgerlinkError(ErrorCodes.ERP_TRANSPORT, `Yardi did not answer GetVendors_Login: ${error.message}`, {
            disposition: error.reason === 'cancelled' ? 'fatal' : 'retryable',
            cause: error,
          });
        }
        throw error;
      }
      const records = vendorsOf(result).filter((vendor) => {
        const id = vendor['VendorId'];
        if (id === undefined) return true; // kept: the mapping reports it as a record without an id
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      const next = index + 1 < properties.length ? index + 1 : 0;
      yield { records, cursor: JSON.stringify({ next }) };
    }
  }
}

/** The property to start from: the cursor's `next`, else the first. */
function startOf(cursor: string | undefined, count: number): number {
  if (cursor === undefined || cursor === '') return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = undefined;
  }
  const next = typeof parsed === 'object' && parsed !== null ? (parsed as { next?: unknown }).next : undefined;
  if (typeof next !== 'number' || !Number.isInteger(next) || next < 0) {
    throw new LedgerlinkError(ErrorCodes.CONFIG_INVALID, `The Yardi vendor import cursor ${JSON.stringify(cursor.slice(0, 100))} is not {"next":<n>}: clear it to read every vendor again.`);
  }
  return next < count ? next : 0;
}
