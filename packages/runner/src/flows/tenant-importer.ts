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
  type PaymentIssuedResult,
  type RecordError,
} from '@ledgerlink/core';
import { inject, injectable } from 'tsyringe';
import type { TenantConfig } from '../config/schema.js';
import type { HubRuntime, HubSlot } from '../hub/hub-runtime.js';
import { RUNNER_TOKENS } from '../tokens.js';
import { SYSTEM_ACTOR } from './ledger-hooks.js';
import { OwnExports } from './own-exports.js';

/** Invoice Payments Sync takes at most this many payments per call. */
const SYNC_PAGE = 100;

/**
 * How many entries each of ImportSummary's lists keeps; the counts go on. A hub that refuses every payment of an
 * import of a million held a million messages in memory until the import ended (issue 15).
 */
export const SUMMARY_LIST_MAX = 100;

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
  /** ERP records that could not be mapped. */
  unmappable: number;
  /** The first `SUMMARY_LIST_MAX` of them: which record, which field (each one is logged). */
  errors: RecordError[];
  /** The first `SUMMARY_LIST_MAX` payments the hub did not take (of `failed`), with its words (the close-out names them). */
  notWritten: { erpPaymentId: string; message: string }[];
  cursor?: string;
}

/**
 * One tenant's import flow (seed 002; Procore's `sync_contract_payments`): final payments read from the ERP page by
 * page from the tenant's cursor, written in bulk with Invoice Payments Sync, `origin_id` = `<tenant>:<ERP payment
 * id>`, so a repeat is recognised by the hub. Payments ledgerlink exported itself are never written back (see
 * OwnExports). The ledger keeps one item per ERP payment (direction `import`): its attempt is the
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
    const summary: ImportSummary = { read: 0, written: 0, alreadyThere: 0, failed: 0, ownExports: 0, unmappable: 0, errors: [], notWritten: [] };
    // Hub writes that failed last time first: they are in the ledger, the cursor has moved past them.
    await this.writeAll(await this.unfinished(), hub, companyId, summary, actor);

    const cursor = await this.ledger.getCursor(this.tenant, IMPORT_CURSOR);
    for await (const page of this.runtime.importPayments({ signal: this.#closing.signal, ...(cursor === undefined ? {} : { cursor }) })) {
      summary.unmappable += page.errors.length;
      summary.errors.push(...page.errors.slice(0, Math.max(0, SUMMARY_LIST_MAX - summary.errors.length)));
      for (const error of page.errors) this.logger.warn({ error }, `an ERP payment could not be mapped for import: ${error.field}: ${error.message}`);
      // Read after the page: an export that posted what this page holds was in flight (or synced) by then.
      const inFlight = await OwnExports.inFlight(this.ledger, this.tenant);
      const fresh: PaymentIssued[] = [];
      for (const record of page.records) {
        summary.read += 1;
        // A payment this tenant exported is the hub's own record: writing it back would show it twice. In flight
        // first, then by ERP id: an export that settles between the two checks is seen by the second.
        if (inFlight.matches(record) || (await this.ledger.getByTarget(this.tenant, 'payment', 'export', record.erpPaymentId)) !== undefined) {
          summary.ownExports += 1;
          continue;
        }
        fresh.push(record);
      }
      // A hub page's worth at a time: asked for together, its items share one ledger commit (one fsync with
      // synchronous=FULL; one at a time, the commits were nine tenths of an import's time), and few enough are held at
      // once that what they allocate dies young instead of piling up in the old generation until a major GC.
      const toWrite: LedgerItem[] = [];
      for (let i = 0; i < fresh.length; i += SYNC_PAGE) {
        const upserted = await Promise.all(
          fresh.slice(i, i + SYNC_PAGE).map((record) =>
            this.ledger.upsert(
              { tenant: this.tenant, entity: 'payment', direction: 'import', sourceId: record.erpPaymentId, record: record as unknown as Record<string, unknown> },
              actor,
            ),
          ),
        );
        for (const { item } of upserted) {
          if (item.state === 'synced') summary.alreadyThere += 1;
          else toWrite.push(item);
        }
        // The same hub pages as writing them all after the whole ERP page: full ones now, the rest at its end.
        while (toWrite.length >= SYNC_PAGE) await this.writePage(toWrite.splice(0, SYNC_PAGE), hub, companyId, summary, actor);
      }
      await this.writeAll(toWrite, hub, companyId, summary, actor);
      // Every payment of the page is in the ledger by now: one the hub did not take is written again by the next
      // import (`unfinished`), so the cursor moves on whatever the hub said.
      await this.ledger.setCursor(this.tenant, IMPORT_CURSOR, page.cursor);
      summary.cursor = page.cursor;
    }
    this.logger.info(
      { read: summary.read, written: summary.written, alreadyThere: summary.alreadyThere, failed: summary.failed, unmappable: summary.unmappable },
      `import: ${summary.written} payment(s) written to the hub, ${summary.alreadyThere} already there, ${summary.failed} to retry`,
    );
    return summary;
  }

  private async unfinished(): Promise<LedgerItem[]> {
    const page = await this.ledger.list({ tenant: this.tenant, direction: 'import', state: ['pending', 'exporting'], limit: 500 });
    return page.items;
  }

  /** Writes items with Invoice Payments Sync, pages of at most `SYNC_PAGE` per call. */
  private async writeAll(items: LedgerItem[], hub: HubRuntime, companyId: string, summary: ImportSummary, actor: Actor): Promise<void> {
    for (let i = 0; i < items.length; i += SYNC_PAGE) await this.writePage(items.slice(i, i + SYNC_PAGE), hub, companyId, summary, actor);
  }

  /**
   * One bulk hub write, each payment recorded as an attempt: all begun before the call, each completed with its
   * own result after it. The hub keys them by origin_id, so a page sent again updates, never duplicates.
   */
  private async writePage(items: LedgerItem[], hub: HubRuntime, companyId: string, summary: ImportSummary, actor: Actor): Promise<void> {
    if (items.length === 0) return;
    // Begun together, completed together: one ledger commit each for the whole page (see importAll).
    const begun = await Promise.all(items.map((item) => this.ledger.beginAttempt(item.id, actor)));
    const attempts = new Map<string, number>(begun.map(({ item, attempt }) => [item.id, attempt.number]));
    const originOf = (item: LedgerItem) => `${this.tenant}:${item.sourceId}`;
    let results: Map<string, PaymentIssuedResult> | undefined;
    let callError: unknown;
    try {
      const answer = await hub.client.syncPaymentsIssued(
        companyId,
        items.map((item) => ({ originId: originOf(item), payment: item.record as unknown as PaymentIssued })),
        { signal: this.#closing.signal },
      );
      results = new Map(answer.map((result) => [result.originId, result]));
    } catch (error) {
      callError = error;
      this.logger.warn({ err: error, payments: items.length }, `writing ${items.length} payment(s) to the hub's Payments Issued failed: ${(error as Error).message}`);
    }
    const completions: Promise<LedgerItem>[] = [];
    for (const item of items) {
      const result = results?.get(originOf(item));
      let outcome: Outcome;
      if (result?.ok === true) {
        outcome = Outcomes.synced(result.hubId, result.created ? {} : { replayed: true });
        if (result.created) summary.written += 1;
        else summary.alreadyThere += 1;
      } else {
        summary.failed += 1;
        const said = result?.ok === false ? result.message : callError === undefined ? 'the hub gave no result for it' : (callError as Error).message;
        if (summary.notWritten.length < SUMMARY_LIST_MAX) summary.notWritten.push({ erpPaymentId: item.sourceId, message: said });
        const message = `writing payment ${item.sourceId} to the hub's Payments Issued failed: ${said}`;
        outcome =
          result?.ok === false || (isLedgerlinkError(callError) && callError.disposition === 'rejected')
            ? Outcomes.rejected(message, undefined, ErrorCodes.HUB_ERROR)
            : Outcomes.transport(message, { committed: 'unknown' });
      }
      completions.push(this.ledger.completeAttempt(item.id, attempts.get(item.id) ?? 0, outcome, actor));
    }
    await Promise.all(completions);
  }

  async stop(): Promise<void> {
    this.#closing.abort();
    await this.#running?.catch(() => undefined);
  }
}
