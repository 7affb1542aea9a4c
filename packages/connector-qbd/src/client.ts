import { ErrorCodes, LedgerlinkError, type ClientContext, type ConnectorClient, type HubVendor, type LoadContext, type Requisition } from '@ledgerlink/core';
import { requisitionBills } from './bill-add.js';
import { BillPaymentExtractor } from './bill-payment-extractor.js';
import { BillPaymentLoader } from './bill-payment-loader.js';
import type { QbdConfig } from './config.js';
import { requestIdFor } from './external-guid.js';
import { QbwcService } from './qbwc-service.js';
import { LookupAddLoader } from './lookup-add-loader.js';
import { text } from './qbxml-wire.js';
import { hubVendors } from './vendor-add.js';
import { VendorExtractor } from './vendor-extractor.js';
import { WorkQueue, type QueuedRequest, type RequestAnswer } from './work-queue.js';

type Listener = (error: LedgerlinkError) => void;

/** How long `start()` waits before it tries the listen address again. */
const START_RETRY_MS = 1_000;

/**
 * The QuickBooks Desktop client. QuickBooks is never called: the customer's Web Connector calls the SOAP service
 * this client hosts (on `config.listen`), pulls the queued qbXML and hands back QuickBooks' answers. The lane's
 * HttpClient is therefore unused; the pace is the Web Connector's (one company file, one session, one message at
 * a time). The service starts on `start()` (the runner calls it when its replica holds the tenant) or on first use,
 * and stops on `close()`.
 */
export function createQbdClient({ config, logger }: ClientContext<QbdConfig>): ConnectorClient {
  const queue = new WorkQueue();
  const problems = new Set<Listener>();
  const tell = (error: LedgerlinkError) => {
    for (const listener of problems) listener(error);
  };
  const service = new QbwcService(config, queue, {
    authFailed(failure) {
      const fields = { user: failure.user, address: failure.address, ...failure.note, ...(failure.waitMs === undefined ? {} : { waitMs: failure.waitMs, by: failure.by }) };
      if (failure.kind !== 'failed') {
        logger.warn(
          fields,
          `a Web Connector login as ${failure.user} from ${failure.address} was refused unchecked: ${failure.kind === 'locked' ? 'locked out' : 'slowed down'} ` +
            `after repeated failures (the ${failure.by === 'user' ? 'user name' : 'address'} may try again in ${Math.ceil((failure.waitMs ?? 0) / 1000)} s)`,
        );
        return;
      }
      const note = failure.note;
      logger.warn(
        fields,
        note?.lockedOut === true
          ? `the Web Connector login as ${failure.user} from ${failure.address} failed again: locked out for ${Math.round((note.delayMs ?? 0) / 60_000)} min`
          : 'the Web Connector logged in with a user name or password that does not match the connection settings',
      );
      tell(
        new LedgerlinkError(
          ErrorCodes.ERP_AUTH,
          `the Web Connector logged in as ${failure.user} with credentials that do not match connection.username / connection.password; ` +
            'set the same password in the Web Connector (and the same UserName in the .qwc), or fix the connection settings',
          { disposition: 'fatal' },
        ),
      );
    },
    requestRefused(status, message, address) {
      logger.warn({ status, address }, `a request to the Web Connector endpoint from ${address} was refused (${status}): ${message}`);
    },
    connectionError(hresult, message) {
      logger.warn({ hresult }, `the Web Connector could not open QuickBooks: ${message}`);
      tell(
        new LedgerlinkError(
          ErrorCodes.ERP_TRANSPORT,
          `the Web Connector could not open QuickBooks or the company file (${hresult}: ${message}); open QuickBooks with the company file ` +
            '(or fix connection.companyFile) and let the Web Connector run again',
          { disposition: 'retryable' },
        ),
      );
    },
  });
  let closed = false;
  const ready = async () => {
    if (closed) throw new LedgerlinkError(ErrorCodes.CANCELLED, 'the QuickBooks Desktop client is closed', { disposition: 'retryable' });
    try {
      await service.start();
    } catch (error) {
      const { host, port, path } = config.listen;
      throw new LedgerlinkError(
        ErrorCodes.ERP_TRANSPORT,
        `cannot serve the Web Connector on http://${host}:${port}${path} (${error instanceof Error ? error.message : String(error)}); ` +
          'free the port or change connection.listen',
        { disposition: 'retryable', cause: error },
      );
    }
  };

  // Cuts start()'s pause between tries short when the client closes.
  let wake = () => undefined as void;
  /**
   * Listens now (the runner holds the tenant's lease): the Web Connector finds the service up before any work is
   * queued. A port still held (the previous holder not yet closed) is tried again every START_RETRY_MS until it
   * frees or the client closes; settles then, never failing.
   */
  const start = async (): Promise<void> => {
    for (let tries = 1; !closed; tries++) {
      try {
        await ready();
        // Closed while it started: the socket just opened is closed too.
        if (closed) await service.close();
        else logger.info({ address: service.address }, 'serving the Web Connector');
        return;
      } catch (error) {
        if (closed) return;
        if (tries === 1 || tries % 30 === 0) logger.warn({ tries, reason: (error as Error).message }, 'the Web Connector service cannot listen yet; trying again every second');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, START_RETRY_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  };

  let checks = 0;
  const check = async (context: LoadContext) => {
    await ready();
    checks += 1;
    const requestId = requestIdFor('check', 'company', checks);
    await new Promise<void>((resolve, reject) => {
      const finish = (error?: LedgerlinkError) => {
        clearTimeout(timer);
        problems.delete(finish);
        context.signal.removeEventListener('abort', onAbort);
        // A check that gave up takes its query back: a Web Connector logging in later finds no stale work.
        queue.withdraw(query);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = () => finish(new LedgerlinkError(ErrorCodes.CANCELLED, 'the connection check was cancelled', { disposition: 'retryable' }));
      const timer = setTimeout(
        () =>
          finish(
            new LedgerlinkError(
              ErrorCodes.ERP_TRANSPORT,
              `the Web Connector did not call within ${Math.round(config.checkWaitMs / 1000)} s; load the .qwc from \`ledgerlink qbd qwc\`, ` +
                `check that it reaches ${service.address ?? 'the listen address'} and that QuickBooks is open, then check again`,
              { disposition: 'retryable' },
            ),
          ),
        config.checkWaitMs,
      );
      problems.add(finish);
      context.signal.addEventListener('abort', onAbort, { once: true });
      const query: QueuedRequest = {
        build: () => ({ name: 'CompanyQueryRq', requestId, content: {} }),
        answer: (answer: RequestAnswer) => {
          if (answer.kind === 'response' && answer.response.statusCode === '0') {
            logger.info({ company: text(answer.response.rets[0], 'CompanyName') }, 'QuickBooks Desktop answered the company query');
            finish();
            return;
          }
          const said =
            answer.kind === 'response'
              ? `${answer.response.statusCode}: ${answer.response.statusMessage}`
              : answer.kind === 'failed'
                ? `${answer.hresult}: ${answer.message}`
                : answer.why;
          finish(new LedgerlinkError(ErrorCodes.ERP_PROTOCOL, `QuickBooks did not answer the company query (${said}); open the company file in QuickBooks and check again`));
        },
      };
      queue.enqueue(query);
    });
  };

  return {
    check,
    payments: {
      exporter: new BillPaymentLoader(queue, config, logger, ready),
      importer: new BillPaymentExtractor(queue, config, ready),
    },
    requisitions: {
      exporter: new LookupAddLoader<Requisition>(requisitionBills, queue, config, logger, ready),
    },
    vendors: {
      exporter: new LookupAddLoader<HubVendor>(hubVendors, queue, config, logger, ready),
      importer: new VendorExtractor(queue, config, ready),
    },
    start,
    async close() {
      closed = true;
      wake();
      queue.drain('the QuickBooks Desktop client closed');
      await service.close();
    },
  };
}
