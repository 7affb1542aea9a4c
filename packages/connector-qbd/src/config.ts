import { z } from 'zod';

const Secret = z.string().min(1, 'must not be empty');

/**
 * The connection settings of one QuickBooks Desktop company file (a tenant's `connection:` block). The
 * direction is inverted: the customer's Web Connector calls the SOAP service this connector hosts, so the
 * settings say where to listen and which Web Connector login to accept.
 */
export const QbdConfig = z
  .object({
    /**
     * Where the connector's Web Connector service listens. The Web Connector requires HTTPS for any host but
     * localhost: put a TLS-terminating proxy in front and give its address as the .qwc's AppURL.
     */
    listen: z
      .object({
        host: z.string().trim().min(1).default('127.0.0.1'),
        // Coerced: a port often comes from the environment (${env:QBD_PORT}), which is text.
        port: z.coerce.number().int().min(1).max(65_535),
        path: z.string().regex(/^\/\S*$/, 'the path starts with "/", e.g. "/qbwc"').default('/qbwc'),
      })
      .strict(),
    /** The Web Connector's UserName (the .qwc's `UserName`). */
    username: z.string().trim().min(1, 'must not be empty'),
    /** The password typed into the Web Connector for this application. A secret: `${env:QBD_WC_PASSWORD}`. */
    password: Secret,
    /**
     * The company file the Web Connector should open, as its full path; empty means "the company file open in
     * QuickBooks", which is what most single-file customers want.
     */
    companyFile: z.string().default(''),
    /**
     * How long `load` and `find` wait for the Web Connector's answer before leaving the record `exporting`
     * (an `accepted` outcome) for the next poll. During a Web Connector session answers come within seconds.
     */
    answerWaitMs: z.number().int().min(0).max(600_000).default(2_000),
    /** How long `check()` waits for the Web Connector to poll and QuickBooks to answer a company query. */
    checkWaitMs: z.number().int().min(1).max(3_600_000).default(120_000),
    /** How long an import page waits for the Web Connector to deliver it before the import fails (retryable). */
    importWaitMs: z.number().int().min(1).max(86_400_000).default(900_000),
    /**
     * A request handed to the Web Connector without an answer after this long is treated as lost (QuickBooks
     * may have saved it): the next attempt looks it up before adding again.
     */
    lostAfterMs: z.number().int().min(1_000).max(86_400_000).default(300_000),
    /** Bill payment checks per import page (`MaxReturned`). */
    importPageSize: z.number().int().min(1).max(1_000).default(100),
  })
  .strict();

export type QbdConfig = z.infer<typeof QbdConfig>;
