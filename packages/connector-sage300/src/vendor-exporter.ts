/**
 * The export of a hub vendor as a Sage 300 CRE AP vendor, through `POST /v1/ap/vendors`. Sage vendor ids are the
 * customer's own codes (up to 10 characters), so the hub vendor's code is the id sent and becomes the erpId.
 */
import { ErrorCodes, type HubVendor, type LaneSignals, type LoadItem, type Loader, type Outcome, Outcomes } from '@ledgerlink/core';
import type { AgentClient } from './agent-client.js';
import { erpAnswerOf, foundOf, transientOutcome } from './agent-errors.js';
import { readJson } from './agent-wire.js';
import { lookupFailed, post, settleUnknown, statusCode } from './agent-writes.js';
import { AgentVendor, CreateVendorAnswer, CreateVendorPayload } from './bill-wire.js';

type VendorItem = LoadItem<Record<string, unknown>, HubVendor>;

export class VendorExporter implements Loader<Record<string, unknown>, HubVendor> {
  constructor(
    private readonly agent: AgentClient,
    private readonly lane: LaneSignals,
  ) {}

  async load(batch: VendorItem[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const item of batch) outcomes.push(await this.loadOne(item));
    return outcomes;
  }

  /** The vendor with the id sent and this name; another vendor holding the id is not this one. */
  async find(item: VendorItem): Promise<Outcome | null> {
    const parsed = CreateVendorPayload.safeParse(item.payload);
    if (!parsed.success) return null;
    const { vendor, name } = parsed.data;
    let response;
    try {
      response = await this.agent.call({ method: 'GET', path: `/v1/ap/vendors/${encodeURIComponent(vendor)}` });
    } catch (error) {
      throw lookupFailed('vendor', ErrorCodes.ERP_TRANSPORT, `no answer (${error instanceof Error ? error.message : String(error)})`, error);
    }
    if (response.status === 404) return null;
    if (response.status !== 200) throw lookupFailed('vendor', statusCode(response.status), `HTTP ${response.status}: ${response.body.slice(0, 300)}`);
    const found = readJson(AgentVendor, response.body);
    if (!found) throw lookupFailed('vendor', ErrorCodes.ERP_PROTOCOL, 'a vendor the connector cannot read');
    return found.vendor === vendor && found.name === name ? Outcomes.synced(vendor, { replayed: true }) : null;
  }

  private async loadOne(item: VendorItem): Promise<Outcome> {
    const parsed = CreateVendorPayload.safeParse(item.payload);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))].join(', ');
      if (fields === 'vendor') {
        return Outcomes.rejected(`Vendor ${item.record.name}: Sage 300 CRE needs the vendor's id (its code, up to 10 characters): give the vendor a code in the hub, then export again.`, undefined, ErrorCodes.MAPPING_FAILED);
      }
      return Outcomes.rejected(`Vendor ${item.record.name}: the mapped payload is not a Sage AP vendor (${fields}); see the vendor export of mapping.yaml.`, undefined, ErrorCodes.MAPPING_FAILED);
    }
    const payload = parsed.data;
    const sent = await post(this.agent, '/v1/ap/vendors', payload, item.idempotencyKey);
    if ('kind' in sent) return sent;
    const response = sent;
    if (response.status >= 200 && response.status < 300) {
      const answer = readJson(CreateVendorAnswer, response.body);
      if (!answer || answer.vendor.vendor !== payload.vendor || answer.vendor.name !== payload.name) {
        return settleUnknown(`The Sage agent answered HTTP ${response.status} with a body that is not this vendor`, response);
      }
      return Outcomes.synced(payload.vendor, { replayed: !answer.created || response.headers['idempotency-replayed'] === 'true' });
    }
    const transient = transientOutcome(response, this.lane, 'vendor');
    if (transient) return transient;
    const erp = erpAnswerOf(response);
    const said = `The Sage agent said: ${erp.message}`;
    switch (erp.code) {
      case 'VENDOR_EXISTS':
        // The id with this very name is this vendor, created earlier; with another name it is someone else's.
        return foundOf(response).name === payload.name
          ? Outcomes.synced(payload.vendor, { replayed: true })
          : Outcomes.rejected(`${said} Give the vendor a code Sage does not use yet, or link it to the existing Sage vendor.`, erp);
      case 'FIELD_TOO_LONG': {
        const field = foundOf(response).field;
        if (field === 'vendor') return Outcomes.rejected(`${said} Sage vendor ids hold at most 10 characters.`, erp);
        if (field === 'name') return Outcomes.rejected(`${said} Shorten the vendor's name, then export again.`, erp);
        return Outcomes.rejected(`${said} Shorten the value in the hub, then export again.`, erp);
      }
      default:
        return Outcomes.rejected(`The Sage agent refused the vendor (HTTP ${response.status}). ${said}`, erp, ErrorCodes.ERP_PROTOCOL);
    }
  }
}
