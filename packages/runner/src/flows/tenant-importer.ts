import {
  ErrorCodes,
  isLedgerlinkError,
  LedgerlinkError,
  Outcomes,
  TOKENS,
  type Actor,
  type ConnectorRuntime,
  type Ledger,
  type LedgerItem,
  type Logger,
  type Outcome,
  type PaymentIssued,
  type RecordError,
} from '@ledgerlink/core';
import { inject, injectable } from 'tsyringe';
import type { TenantConfig } from '../config/schema.js';
import type { HubRuntime, HubSlot } from '../hub/hub-runtime.js';
import { RUNNER_TOKENS } from '../tokens.js';
import { SYSTEM_ACTOR } from './ledger-hooks.js';

/** The ledger cursor where a tenant's import resumes. */
export const IMPORT_CURSOR = 'import:payment';

export interface ImportSummary {
  /** Final payments read from the ERP. */
  read: number;
  /** Written to the hub's Payments Issued now. */
  written: number;
  /** Already in the hub (written before: the ledger or the hub's origin_id said so). */
  alreadyThere: number;
  /** Not written: the hub refused or did not answer; tried again at the next import. */
  failed: number;
  /** Payments ledgerlink exported itself (Procore Pay's own): already in the hub, not brought back. */
  ownExports: number;
  /** ERP records that could not be mapped: which record, which field. */
  errors: RecordError[];
  cursor?: string;
}

/**
 * One tenant's import flow (seed 002): final payments read from the ERP page by page from the tenant's cursor,
 * each written to the hub's Payments Issued with `origin_id` = `<tenant>:<ERP payment id>`, so a repeat is
 * recognised by the hub. The ledger keeps one item per ERP payment (direction `import`): its attempt is the
 * hub write. The cursor moves after each page, so nothing is read twice or missed.
 */
@injectable()
export class TenantImporter {
  #running: Promise<ImportSummary> | undefined;
  readonly #closing = new AbortController();

  constructor(
    @inject(TOKENS.tenant) readonly tenant: string,
    @inject(RUNNER_TOKENS.tenantConfig) private readonly config: TenantConfig,
    @inject(TOKENS.runtime) private readonly runtime: ConnectorRuntime,
    @inject(TOKENS.ledger) private readonly ledger: Ledger,
    @inject(RUNNER_TOKENS.hub) private readonly hubSlot: HubSlot,
    @inject(TOKENS.logger) private readonly logger: Logger,
  ) {}

  private get hub(): HubRuntime | null {
    return this.hubSlot.runtime;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Runs an import now (schedule or on demand); a second call while one runs joins it. */
  run(actor: Actor = SYSTEM_ACTOR): Promise<ImportSummary> {
    this.#running ??= this.importAll(actor).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  private async importAll(actor: Actor): Promise<ImportSummary> {
    const hub = this.hub;
    const companyId = this.config.hubCompanyId;
    if (hub === null || companyId === undefined) {
      throw new LedgerlinkError(
        ErrorCodes.CAPABILITY_MISSING,
        `tenant ${this.tenant} cannot import payments: the config has no hub (hub:) or no hubCompanyId for this tenant to write Payments Issued to`,
      );
    }
    const summary: ImportSummary = { read: 0, written: 0, alreadyThere: 0, failed: 0, ownExports: 0, errors: [] };
    // Hub writes that failed last time first: they are in the ledger, the cursor has moved past them.
    for (const item of await this.unfinished()) await this.write(item, hub, companyId, summary, actor);

    const cursor = await this.ledger.getCursor(this.tenant, IMPORT_CURSOR);
    for await (const page of this.runtime.importPayments({ signal: this.#closing.signal, ...(cursor === undefined ? {} : { cursor }) })) {
      summary.errors.push(...page.errors);
      for (const error of page.errors) this.logger.warn({ error }, `an ERP payment could not be mapped for import: ${error.field}: ${error.message}`);
      for (const record of page.records) {
        summary.read += 1;
        // A payment this tenant exported from the hub is the hub's own record: importing it would show it twice.
        if ((await this.ledger.getByTarget(this.tenant, 'payment', 'export', record.erpPaymentId)) !== undefined) {
          summary.ownExports += 1;
          continue;
        }
        const { item } = await this.ledger.upsert(
          { tenant: this.tenant, entity: 'payment', direction: 'import', sourceId: record.erpPaymentId, record: record as unknown as Record<string, unknown> },
          actor,
        );
        if (item.state === 'synced') summary.alreadyThere += 1;
        else await this.write(item, hub, companyId, summary, actor);
      }
      await this.ledger.setCursor(this.tenant, IMPORT_CURSOR, page.cursor);
      summary.cursor = page.cursor;
    }
    this.logger.info(
      { read: summary.read, written: summary.written, alreadyThere: summary.alreadyThere, failed: summary.failed, errors: summary.errors.length },
      `import: ${summary.written} payment(s) written to the hub, ${summary.alreadyThere} already there, ${summary.failed} to retry`,
    );
    return summary;
  }

  private async unfinished(): Promise<LedgerItem[]> {
    const page = await this.ledger.list({ tenant: this.tenant, direction: 'import', state: ['pending', 'exporting'], limit: 500 });
    return page.items;
  }

  /** One hub write, recorded as an attempt: before it, and after it with the hub's answer. */
  private async write(item: LedgerItem, hub: HubRuntime, companyId: string, summary: ImportSummary, actor: Actor): Promise<void> {
    const { attempt } = await this.ledger.beginAttempt(item.id, actor);
    let outcome: Outcome;
    try {
      const written = await hub.client.writePaymentIssued(companyId, item.record as unknown as PaymentIssued, `${this.tenant}:${item.sourceId}`, {
        signal: this.#closing.signal,
      });
      outcome = Outcomes.synced(written.hubId, written.replayed ? { replayed: true } : {});
      if (written.replayed) summary.alreadyThere += 1;
      else summary.written += 1;
    } catch (error) {
      summary.failed += 1;
      const message = `writing payment ${item.sourceId} to the hub's Payments Issued failed: ${(error as Error).message}`;
      this.logger.warn({ err: error, itemId: item.id }, message);
      outcome =
        isLedgerlinkError(error) && error.disposition === 'rejected'
          ? Outcomes.rejected(message, undefined, ErrorCodes.HUB_ERROR)
          : Outcomes.transport(message, { committed: 'unknown' });
    }
    await this.ledger.completeAttempt(item.id, attempt.number, outcome, actor);
  }

  async stop(): Promise<void> {
    this.#closing.abort();
    await this.#running?.catch(() => undefined);
  }
}
