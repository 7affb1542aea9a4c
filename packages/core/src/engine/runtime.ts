import type { z } from 'zod';
import { entityOptionsOf, type Entity } from '../connector/capabilities.js';
import { assertCompatible, type Connector } from '../connector/define-connector.js';
import type { ConnectorClient, ExtractPage, Extractor, LoadItem, Loader } from '../connector/contracts.js';
import { Outcomes, type Outcome } from '../connector/outcome.js';
import { ENTITY_DEFINITIONS } from '../entity/definitions.js';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { CompiledMapping, MappingResult, RecordError } from '../mapping/types.js';
import { Payment, PaymentIssued } from '../model/payment.js';
import { validateRecord } from '../model/validate.js';
import { parseConnectorConfig } from './connector-config.js';
import { compileEntityMappings } from './entity-mappings.js';
import { capabilityRefusal, preflightRecord } from './entity-preflight.js';
import { exportPayments } from './export-payments.js';
import { exportRecords } from './export-records.js';
import { Lane } from './lane.js';
import { preflightPayment } from './preflight.js';
import { resolveRateLimit } from './rate-limit.js';
import { describeRecordErrors, withoutUndefined } from './record-errors.js';
import {
  DEFAULT_RETRY_POLICY,
  type ConnectorRuntime,
  type ExportHooks,
  type ExportItem,
  type ImportPage,
  type RecordExportItem,
  type RetryPolicy,
  type RuntimeOptions,
} from './types.js';

/**
 * Builds one connector's runtime for one tenant. Everything that can be checked is checked here, before any
 * call: the connector's contract and core range, the tenant's connection settings, the mapping with the
 * tenant's override, the rate limit override and the retry policy. Then the lane and the client are made; the
 * client reaches its ERP only through the lane.
 */
export function createConnectorRuntime<TConfig>(connector: Connector<TConfig>, options: RuntimeOptions): ConnectorRuntime {
  const { tenant } = options;
  const { id, displayName } = connector.manifest;
  assertCompatible(connector);
  const logger = (options.logger ?? silentLogger).child({ tenant, connector: id });
  const config = parseConnectorConfig(connector, options.config, tenant);
  const entityMappings = compileEntityMappings(connector, options.mappingOverride);
  const mappings = entityMappings.payment ?? {};
  const rateLimit = resolveRateLimit(connector.capabilities.rateLimit, options.rateLimit, {
    label: `tenant ${tenant}, connector ${id}`,
    logger,
  });
  const retry = resolveRetryPolicy(options.retry);
  const now = options.now ?? (() => new Date());
  const lookups = options.lookups ?? {};
  const hooks = options.hooks ?? {};

  const closing = new AbortController();
  const lane = new Lane({
    key: `${tenant}/${id}`,
    rateLimit,
    logger,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(options.gate === undefined ? {} : { gate: options.gate }),
    ...(options.recentCallAgesMs === undefined ? {} : { recentCallAgesMs: options.recentCallAgesMs }),
  });
  const client = connector.createClient({
    config,
    http: lane.http,
    lane: lane.signals,
    logger,
    now,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  });
  let closed: Promise<void> | undefined;

  /**
   * Maps a payment for the ERP. `checked`: the caller has just validated it against `Payment` (every export path
   * does, before its preflight), so the mapping does not check it a second time; the public `mapPayment` checks.
   */
  const mapPaymentAs = (payment: Payment, recordId: string | undefined, checked: boolean): MappingResult => {
    const mapping = mappings.export;
    if (mapping === undefined) {
      return { ok: false, errors: [{ ...(recordId === undefined ? {} : { recordId }), field: '(payment export)', message: `${displayName} does not export payments` }] };
    }
    return (checked ? (mapping.unchecked ?? mapping) : mapping)(payment, { lookups, recordId: recordId ?? payment.id });
  };
  const mapPayment = (payment: Payment, recordId?: string): MappingResult => mapPaymentAs(payment, recordId, false);
  const preflight = (payment: Payment) => preflightPayment(connector, payment);
  /** Maps a record of any entity for the ERP; `checked` as for payments (`mapPaymentAs`). */
  const mapRecordAs = (entity: Entity, record: unknown, recordId: string | undefined, checked: boolean): MappingResult => {
    const mapping = entityMappings[entity]?.export;
    const id = recordId ?? idOf(record);
    if (mapping === undefined) {
      const message = capabilityRefusal(connector, entity, 'export') ?? `${displayName} has no ${entity} export mapping`;
      return { ok: false, errors: [{ ...(id === undefined ? {} : { recordId: id }), field: `(${entity} export)`, message }] };
    }
    return (checked ? (mapping.unchecked ?? mapping) : mapping)(record, { lookups, ...(id === undefined ? {} : { recordId: id }) });
  };
  const mapRecord = (entity: Entity, record: unknown, recordId?: string): MappingResult => mapRecordAs(entity, record, recordId, false);
  // A caller's signal joined with the runtime's closing, made once per caller signal: the runner's exporter passes
  // the same signal with every run, and an AbortSignal.any per run (its weak links to both sources included) was a
  // share of the runner's CPU per payment. Every run under that signal shares it (`lane.withSignal` lets it have
  // many listeners).
  const joined = new WeakMap<AbortSignal, AbortSignal>();
  const withClosing = (signal?: AbortSignal): AbortSignal => {
    if (signal === undefined) return closing.signal;
    let both = joined.get(signal);
    if (both === undefined) {
      both = AbortSignal.any([signal, closing.signal]);
      joined.set(signal, both);
    }
    return both;
  };

  const runtime: ConnectorRuntime = {
    connector: connector as Connector,
    tenant,
    rateLimit,
    check: () => lane.withSignal(closing.signal, () => client.check({ signal: closing.signal })),
    preflight,
    mapPayment,
    mapRecord,
    exportRecords(entity: Entity, items: RecordExportItem[], exportOptions = {}): Promise<Outcome[]> {
      if (entity === 'payment') {
        // Payments keep their own preflight (partial, tax, markups) and the runtime's ledger hooks.
        return runtime.exportPayments(items as ExportItem[], {
          ...(exportOptions.signal === undefined ? {} : { signal: exportOptions.signal }),
          ...(exportOptions.hooks === undefined ? {} : { hooks: exportOptions.hooks }),
        });
      }
      const definition = ENTITY_DEFINITIONS[entity];
      const refusal = capabilityRefusal(connector, entity, 'export');
      const model = definition.exportModel;
      if (refusal !== null || model === undefined) {
        // Refused before any call, one outcome per item: nothing is validated, mapped or sent.
        const message = refusal ?? `ledgerlink has no ${entity} export`;
        return Promise.resolve(items.map(() => Outcomes.rejected(message, undefined, ErrorCodes.CAPABILITY_MISSING)));
      }
      const { maxBatch, idempotency } = entityOptionsOf(connector.capabilities, entity);
      const signal = withClosing(exportOptions.signal);
      // The run's calls that wait in the lane (a throttle pause of minutes) end at once when the run is cancelled.
      return lane.withSignal(signal, () => exportRecords(items, {
        erpName: displayName,
        label: definition.label,
        model,
        maxBatch,
        idempotency,
        exporter: exporterOf(client, entity),
        preflight: (record) => preflightRecord(connector, entity, record),
        // exportRecords validated the record against `model` (the mapping's own) just before: not checked again.
        map: (record, recordId) => mapRecordAs(entity, record, recordId, true),
        retry,
        hooks: exportOptions.hooks ?? {},
        logger,
        signal,
      }));
    },
    async settleRecord(entity: Entity, item: RecordExportItem, settleOptions: { signal?: AbortSignal } = {}): Promise<Outcome | null> {
      if (entity === 'payment') return runtime.settle(item as ExportItem, settleOptions);
      const exporter = exporterOf(client, entity);
      const model = ENTITY_DEFINITIONS[entity].exportModel;
      if (exporter === undefined || model === undefined) return null;
      const label = ENTITY_DEFINITIONS[entity].label;
      const recordId = idOf(item.record) ?? item.id;
      const valid = validateRecord(model, item.record, recordId);
      const mapped = valid.ok ? mapRecordAs(entity, valid.value, recordId, true) : valid;
      if (!valid.ok || !mapped.ok) {
        const errors = mapped.ok ? [] : mapped.errors;
        throw new LedgerlinkError(
          valid.ok ? ErrorCodes.MAPPING_FAILED : ErrorCodes.RECORD_INVALID,
          `cannot look up ${label} ${recordId} in ${displayName}: ${describeRecordErrors(errors)}; fix the record or the mapping, then settle it again`,
          { disposition: 'rejected', details: { errors } },
        );
      }
      const loadItem = { id: item.id, idempotencyKey: item.idempotencyKey, record: valid.value, payload: mapped.value };
      const signal = withClosing(settleOptions.signal);
      return lane.withSignal(signal, () => exporter.find(loadItem, { signal }));
    },
    importRecords(entity: Entity, importOptions: { cursor?: string; signal?: AbortSignal } = {}): AsyncIterable<ImportPage<unknown>> {
      const importer = importerOf(client, entity);
      const mapping = entityMappings[entity]?.import;
      const model = ENTITY_DEFINITIONS[entity].importModel;
      const refusal = capabilityRefusal(connector, entity, 'import');
      if (refusal !== null || importer === undefined || mapping === undefined || model === undefined) {
        const message = refusal ?? `${displayName}'s client offers no ${ENTITY_DEFINITIONS[entity].label} importer`;
        return failing(new LedgerlinkError(ErrorCodes.CAPABILITY_MISSING, message));
      }
      return importPages(lane, importer, mapping, model, importOptions.cursor, withClosing(importOptions.signal), lookups);
    },
    exportPayments(items: ExportItem[], exportOptions: { signal?: AbortSignal; hooks?: ExportHooks<RecordExportItem> } = {}): Promise<Outcome[]> {
      const signal = withClosing(exportOptions.signal);
      // The run's calls that wait in the lane (a throttle pause of minutes) end at once when the run is cancelled.
      return lane.withSignal(signal, () => exportPayments(items, {
        erpName: displayName,
        capabilities: connector.capabilities,
        exporter: client.payments.exporter,
        preflight,
        // exportPayments validated the payment against `Payment` just before: not checked again.
        map: (payment, recordId) => mapPaymentAs(payment, recordId, true),
        retry,
        hooks: exportOptions.hooks ?? hooks,
        logger,
        signal,
      }));
    },
    async settle(item: ExportItem, settleOptions: { signal?: AbortSignal } = {}): Promise<Outcome | null> {
      const exporter = client.payments.exporter;
      if (exporter === undefined) return null;
      const valid = validateRecord(Payment, item.record, item.record.id);
      const mapped = valid.ok ? mapPaymentAs(valid.value, valid.value.id, true) : valid;
      if (!valid.ok || !mapped.ok) {
        const errors = mapped.ok ? [] : mapped.errors;
        throw new LedgerlinkError(
          valid.ok ? ErrorCodes.MAPPING_FAILED : ErrorCodes.RECORD_INVALID,
          `cannot look up payment ${item.record.id} in ${displayName}: ${describeRecordErrors(errors)}; fix the record or the mapping, then settle it again`,
          { disposition: 'rejected', details: { errors } },
        );
      }
      const loadItem: LoadItem = { id: item.id, idempotencyKey: item.idempotencyKey, record: valid.value, payload: mapped.value };
      const signal = withClosing(settleOptions.signal);
      return lane.withSignal(signal, () => exporter.find(loadItem, { signal }));
    },
    importPayments(importOptions: { cursor?: string; signal?: AbortSignal } = {}): AsyncIterable<ImportPage> {
      const importer = client.payments.importer;
      const mapping = mappings.import;
      if (importer === undefined || mapping === undefined) {
        return failing(
          new LedgerlinkError(
            ErrorCodes.CAPABILITY_MISSING,
            `${displayName} (${id}) does not import payments; pull them from the ERP another way or use a connector that declares payment import`,
          ),
        );
      }
      return importPages(lane, importer, mapping, PaymentIssued, importOptions.cursor, withClosing(importOptions.signal), lookups);
    },
    laneStats: () => lane.stats(),
    async start(): Promise<void> {
      if (closed === undefined) await client.start?.();
    },
    close(): Promise<void> {
      closed ??= (async () => {
        closing.abort(new LedgerlinkError(ErrorCodes.CANCELLED, `the ${displayName} runtime of tenant ${tenant} is closing`));
        await lane.close();
        await client.close();
      })();
      return closed;
    },
  };
  return runtime;
}

function resolveRetryPolicy(override: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...withoutUndefined(override ?? {}) };
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) problems.push(`retry.maxAttempts must be a whole number of at least 1, not ${policy.maxAttempts}`);
  if (!Number.isFinite(policy.baseDelayMs) || policy.baseDelayMs < 0) problems.push(`retry.baseDelayMs must be 0 or more milliseconds, not ${policy.baseDelayMs}`);
  if (!Number.isFinite(policy.maxDelayMs) || policy.maxDelayMs < policy.baseDelayMs) problems.push(`retry.maxDelayMs must be at least retry.baseDelayMs, not ${policy.maxDelayMs}`);
  if (problems.length > 0) {
    throw new LedgerlinkError(ErrorCodes.CONNECTOR_CONFIG_INVALID, `the retry policy is invalid: ${problems.join('; ')}`, { details: { problems } });
  }
  return policy;
}

/** The loader of an entity's exports, where the client has one. */
function exporterOf(client: ConnectorClient, entity: Entity): Loader<Record<string, unknown>, unknown> | undefined {
  switch (entity) {
    case 'payment':
      return client.payments.exporter as Loader<Record<string, unknown>, unknown> | undefined;
    case 'requisition':
      return client.requisitions?.exporter as Loader<Record<string, unknown>, unknown> | undefined;
    case 'vendor':
      return client.vendors?.exporter as Loader<Record<string, unknown>, unknown> | undefined;
  }
}

/** The extractor of an entity's imports, where the client has one. */
function importerOf(client: ConnectorClient, entity: Entity): Extractor | undefined {
  switch (entity) {
    case 'payment':
      return client.payments.importer;
    case 'requisition':
      return undefined;
    case 'vendor':
      return client.vendors?.importer;
  }
}

function idOf(record: unknown): string | undefined {
  const id = (record as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** Reads pages from the ERP and maps each record; a record that does not map is reported, never dropped. */
async function* importPages<TRecord>(
  lane: Lane,
  importer: Extractor,
  mapping: CompiledMapping,
  model: z.ZodType<TRecord>,
  start: string | undefined,
  signal: AbortSignal,
  lookups: Record<string, Record<string, string>>,
): AsyncGenerator<ImportPage<TRecord>> {
  let cursor = start;
  const pages = importer.pages({ signal, ...(cursor === undefined ? {} : { cursor }) })[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      // Each step runs under the import's signal: a page call waiting in a paused lane ends when the import stops.
      let step: IteratorResult<ExtractPage>;
      try {
        step = await lane.withSignal(signal, () => pages.next());
      } catch (error) {
        // A failed step has ended the importer's iterator itself.
        finished = true;
        throw error;
      }
      if (step.done === true) {
        finished = true;
        return;
      }
      const page = step.value;
      const records: TRecord[] = [];
      const errors: RecordError[] = [];
      page.records.forEach((raw, index) => {
        const where = `record ${index + 1} of the page after cursor ${cursor === undefined ? '(start)' : `"${cursor}"`}`;
        const mapped = mapping(raw, { lookups });
        const valid = mapped.ok ? validateRecord(model, mapped.value) : mapped;
        if (valid.ok) records.push(valid.value);
        else errors.push(...valid.errors.map((error) => ({ ...error, recordId: error.recordId ?? where })));
      });
      cursor = page.cursor;
      yield { records, errors, cursor: page.cursor };
      if (signal.aborted) return;
    }
  } finally {
    // Left early (the consumer stopped, or the signal): the importer's iterator is ended as `for await` would.
    if (!finished) await pages.return?.();
  }
}

/** An iterable whose first step rejects: `importPayments` stays a plain method, the refusal comes on use. */
function failing<TRecord>(error: Error): AsyncIterable<ImportPage<TRecord>> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
  };
}
