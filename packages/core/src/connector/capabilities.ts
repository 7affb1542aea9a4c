import { z } from 'zod';

/**
 * The entities ledgerlink moves: payments, the subcontractor invoices (requisitions) they pay, and the vendors
 * both belong to. The rest follow the Intacct feature map (seed 004); `ENTITY_DEFINITIONS` describes each.
 */
export const Entity = z.enum(['payment', 'requisition', 'vendor']);
export type Entity = z.infer<typeof Entity>;

/** Export = hub to ERP; import = ERP to hub. */
export const Direction = z.enum(['export', 'import']);
export type Direction = z.infer<typeof Direction>;

/**
 * A rate limit as data: at most `requests` calls per `intervalMs`, at most `concurrency` at once. Only the
 * core engine enforces it; connectors declare it.
 */
export const RateLimit = z
  .object({
    /** Calls allowed per interval. */
    requests: z.number().int().positive(),
    /** The interval, in milliseconds. */
    intervalMs: z.number().int().positive(),
    /** Calls in flight at once. */
    concurrency: z.number().int().positive(),
  })
  .strict();
export type RateLimit = z.infer<typeof RateLimit>;

/**
 * What a connector can do, as a closed set of flags the engine acts on. Anything not declared is refused
 * cleanly before any call.
 */
export const Capabilities = z
  .object({
    /** Entities and the directions each supports, e.g. `{ payment: ['export', 'import'] }`. */
    entities: z.partialRecord(Entity, z.array(Direction).min(1)),
    /** Whether a payment may pay less than its invoice's total. */
    partialPayments: z.boolean(),
    /** Records per load call; 1 when the ERP has no batch write. */
    maxBatch: z.number().int().positive(),
    /** The ERP's published limit, the lane's default. A customer may lower it. */
    rateLimit: RateLimit,
    /**
     * How a repeated write is kept from posting twice: `native` (the ERP dedupes on a key we send) or
     * `lookup` (the connector finds an earlier commit by natural key before writing again).
     */
    idempotency: z.enum(['native', 'lookup']),
    /**
     * True when the ERP applies writes later (a queue or a poll): exports end `accepted` and are confirmed
     * by `Loader.find`.
     */
    asyncExport: z.boolean().default(false),
    /**
     * Per entity, where it differs from the connector-wide `maxBatch` / `idempotency` (a bill may batch where a
     * payment cannot, say). Entities absent here use the connector-wide values.
     */
    entityOptions: z
      .partialRecord(
        Entity,
        z.object({ maxBatch: z.number().int().positive().optional(), idempotency: z.enum(['native', 'lookup']).optional() }).strict(),
      )
      .default({}),
    /**
     * Entities × directions the connector's ERP (or this project's access to it) cannot do, each with the reason the
     * kit checks the refusal against and Procore's metadata leaves disabled. e.g. `{ vendor: { import: 'Sage 300 CRE's
     * agent exposes no vendor list' } }`.
     */
    unsupported: z.partialRecord(Entity, z.partialRecord(Direction, z.string().min(1))).default({}),
  })
  .strict();
export type Capabilities = z.infer<typeof Capabilities>;
export type CapabilitiesInput = z.input<typeof Capabilities>;

export function supports(capabilities: Capabilities, entity: Entity, direction: Direction): boolean {
  return capabilities.entities[entity]?.includes(direction) ?? false;
}

/** The batch size and idempotency of one entity: its `entityOptions`, else the connector-wide values. */
export function entityOptionsOf(capabilities: Capabilities, entity: Entity): { maxBatch: number; idempotency: 'native' | 'lookup' } {
  const own = capabilities.entityOptions[entity];
  return { maxBatch: own?.maxBatch ?? capabilities.maxBatch, idempotency: own?.idempotency ?? capabilities.idempotency };
}
