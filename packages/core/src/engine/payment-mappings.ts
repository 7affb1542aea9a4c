import { supports } from '../connector/capabilities.js';
import type { Connector } from '../connector/define-connector.js';
import { ErrorCodes, LedgerlinkError, isLedgerlinkError } from '../errors.js';
import { compileMapping, loadMappingFile, mergeMapping } from '../mapping/index.js';
import type { CompiledMapping, MappingDocument, MappingProblem } from '../mapping/types.js';

export interface PaymentMappings {
  /** Present when the connector exports payments. */
  export?: CompiledMapping;
  /** Present when the connector imports payments. */
  import?: CompiledMapping;
}

/**
 * Loads the connector's mapping.yaml, lays the customer's override over it and compiles the directions the
 * connector declares, once. A mistake in either file is a LL_MAPPING_INVALID listing every problem as
 * `file:line:col message`.
 */
export function compilePaymentMappings(connector: Pick<Connector, 'manifest' | 'capabilities' | 'mapping'>, override?: MappingDocument): PaymentMappings {
  const { id, displayName } = connector.manifest;
  try {
    const base = loadMappingFile(connector.mapping.path);
    if (base.connector !== undefined && base.connector !== id) {
      throw new LedgerlinkError(
        ErrorCodes.MAPPING_INVALID,
        `${base.file}: the mapping is for connector "${base.connector}", but ${displayName} is "${id}"; ship the connector's own mapping.yaml`,
      );
    }
    const document = override === undefined ? base : mergeMapping(base, override);
    const mappings: PaymentMappings = {};
    if (supports(connector.capabilities, 'payment', 'export')) mappings.export = compileMapping(document, 'payment', 'export');
    if (supports(connector.capabilities, 'payment', 'import')) mappings.import = compileMapping(document, 'payment', 'import');
    return mappings;
  } catch (error) {
    const problems = problemsOf(error);
    if (isLedgerlinkError(error) && problems.length === 0) throw error;
    const lines = problems.length > 0 ? problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`) : [error instanceof Error ? error.message : String(error)];
    throw new LedgerlinkError(
      ErrorCodes.MAPPING_INVALID,
      `the payment mapping of ${displayName} (${id}) is invalid:\n  ${lines.join('\n  ')}\nFix the mapping file or the tenant's mapping override at the places named.`,
      { cause: error, details: { connector: id, problems: problems.length > 0 ? problems : lines } },
    );
  }
}

function problemsOf(error: unknown): MappingProblem[] {
  const problems = (error as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) ? (problems as MappingProblem[]) : [];
}
