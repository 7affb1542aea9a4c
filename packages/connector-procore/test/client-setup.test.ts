import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLedgerlinkError, type HubEvent } from '@ledgerlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearerFor, erpMetadataFor, procoreConnector } from '../src/index.js';
import type { ProcoreSandbox } from '../src/sandbox/index.js';
import { addPayment, clientFor, COMPANY, context, startHub } from './support.js';

const C = String(COMPANY);
const SECRET = 'deployment-webhook-secret-42';

/** A receiver of webhook deliveries: parses each with the connector's parser, as the runner's route does. */
async function receiver(): Promise<{ url: string; events: HubEvent[]; refusals: string[]; close(): Promise<void> }> {
  const events: HubEvent[] = [];
  const refusals: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      try {
        events.push(...procoreConnector.webhooks.parse(Buffer.concat(chunks).toString('utf8'), headers, SECRET, new Date()));
        response.writeHead(202).end();
      } catch (error) {
        refusals.push(isLedgerlinkError(error) ? error.code : String(error));
        response.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/procore`,
    events,
    refusals,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('company setup and webhook deliveries on the ERP Platform sandbox', () => {
  let hub: ProcoreSandbox;
  beforeEach(async () => {
    hub = await startHub({ webhooks: { baseDelayMs: 50, maxDelayMs: 100, timeoutMs: 2_000 } });
  });
  afterEach(async () => {
    await hub.close();
  });

  it('creates the connection, hook and trigger once; a second run is all unchanged; a change is an update', async () => {
    const { setup } = clientFor(hub);
    const metadata = erpMetadataFor({ entities: { payment: ['export', 'import'] } }, { name: 'QuickBooks Online' });
    const hook = { destinationUrl: 'https://ledgerlink.example.com/webhooks/procore', bearer: bearerFor(SECRET, C) };
    const run = async (m = metadata, h = hook) => {
      const connection = await setup.ensureConnection(C, m, context);
      const hooked = await setup.ensureHook(C, h, context);
      const trigger = await setup.ensureTrigger(C, hooked.id, context);
      return [connection, hooked, trigger].map((step) => `${step.what} ${step.action}`);
    };
    expect(await run()).toEqual(['erp_connection created', 'hook created', 'trigger created']);
    expect(await run()).toEqual(['erp_connection unchanged', 'hook unchanged', 'trigger unchanged']);
    expect(hub.erpConnections(COMPANY)).toHaveLength(1);
    expect(hub.erpConnections(COMPANY)[0]?.metadata).toEqual(metadata);
    expect(hub.hooks(COMPANY)).toEqual([expect.objectContaining({ namespace: 'ledgerlink', api_version: 'v2', destination_headers: { Authorization: `Bearer ${bearerFor(SECRET, C)}` } })]);

    const exportOnly = erpMetadataFor({ entities: { payment: ['export'] } }, { name: 'QuickBooks Online' });
    expect(await run(exportOnly, { ...hook, bearer: bearerFor('rotated-secret', C) })).toEqual(['erp_connection updated', 'hook updated', 'trigger unchanged']);
    expect(hub.erpConnections(COMPANY)[0]?.metadata).toEqual(exportOnly);
    expect(hub.hooks(COMPANY)[0]?.destination_headers).toEqual({ Authorization: `Bearer ${bearerFor('rotated-secret', C)}` });

    // The runner moved: its one hook is pointed at the new address, not joined by a second one.
    const moved = { ...hook, destinationUrl: 'https://ledgerlink-2.example.com/webhooks/procore' };
    expect(await run(exportOnly, moved)).toEqual(['erp_connection unchanged', 'hook updated', 'trigger unchanged']);
    expect(hub.hooks(COMPANY).map((h) => h.destination_url)).toEqual([moved.destinationUrl]);
  });

  it('deliveries through the hook parse into events; a duplicate carries the same ulid; another company\'s bearer is refused', async () => {
    const inbox = await receiver();
    try {
      const { setup } = clientFor(hub);
      const hooked = await setup.ensureHook(C, { destinationUrl: inbox.url, bearer: bearerFor(SECRET, C) }, context);
      await setup.ensureTrigger(C, hooked.id, context);
      hub.setDeliveryKnobs({ duplicateNext: 1 });
      const { requestId } = addPayment(hub, 10_00);
      await hub.deliveriesIdle();
      expect(inbox.events).toHaveLength(2);
      expect(inbox.events[0]).toMatchObject({ companyId: C, resourceName: 'ERP Requests', eventType: 'create', resourceId: String(requestId) });
      expect(inbox.events[1]?.eventId).toBe(inbox.events[0]?.eventId);
      expect((await clientFor(hub).erpRequest(C, inbox.events[0]?.resourceId as string, context))?.requestName).toBe('create_contract_payment');

      // A hook whose bearer is another company's: every delivery is refused, never parsed into work.
      await setup.ensureHook(C, { destinationUrl: inbox.url, bearer: bearerFor(SECRET, '4265') }, context);
      addPayment(hub, 20_00);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(inbox.refusals[0]).toBe('LL_WEBHOOK_UNAUTHENTICATED');
      expect(inbox.events).toHaveLength(2);
    } finally {
      await hub.close();
      await inbox.close();
    }
  });
});
