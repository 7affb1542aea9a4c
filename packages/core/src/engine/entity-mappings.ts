import { Direction, Entity, supports } from '../connector/capabilities.js';
import type { Connector } from '../connector/define-connector.js';
import { ErrorCodes, LedgerlinkError, isLedgerlinkError } from '../errors.js';
import { compileMapping, loadMappingFile, mergeMapping } from '../mapping/index.js';
import type { CompiledMapping, MappingDocument, MappingProblem } from '../mapping/types.js';

/** The compiled mappings of one connector: per entity, per declared direction. */
export type EntityMappings = Partial<Record<Entity, Partial<Record<Direction, CompiledMapping>>>>;

/**
 * Loads the connector's mapping.yaml, lays the customer's override over it and compiles every entity × direction
 * the connector declares, once. A declared direction without its `entities.<entity>.<direction>` section, or any
 * other mistake in either file, is one LL_MAPPING_INVALID listing every problem of every section as
 * `file:line:col message`, so a plugin author fixes them all in one go.
 */
export function compileEntityMappings(connector: Pick<Connector, 'manifest' | 'capabilities' | 'mapping'>, override?: MappingDocument): EntityMappings {
  const { id, displayName } = connector.manifest;
  const problems: MappingProblem[] = [];
  const others: string[] = [];
  const mappings: EntityMappings = {};
  try {
    const base = loadMappingFile(connector.mapping.path);
    if (base.connector !== undefined && base.connector !== id) {
      throw new LedgerlinkError(
        ErrorCodes.MAPPING_INVALID,
        `${base.file}: the mapping is for connector "${base.connector}", but ${displayName} is "${id}"; ship the connector's own mapping.yaml`,
      );
    }
    const document = override === undefined ? base : mergeMapping(base, override);
    for (const entity of Entity.options) {
      for (const direction of Direction.options) {
        if (!supports(connector.capabilities, entity, direction)) continue;
        try {
          (mappings[entity] ??= {})[direction] = compileMapping(document, entity, direction);
        } catch (error) {
          if (problemsOf(error).length === 0) throw error;
          problems.push(...problemsOf(error));
        }
      }
    }
  } catch (error) {
    if (isLedgerlinkError(error) && problemsOf(error).length === 0) throw error;
    if (problemsOf(error).length > 0) problems.push(...problemsOf(error));
    else others.push(error instanceof Error ? error.message : String(error));
  }
  if (problems.length === 0 && others.length === 0) return mappings;
  const lines = [...problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`), ...others];
  throw new LedgerlinkError(
    ErrorCodes.MAPPING_INVALID,
    `the mapping of ${displayName} (${id}) is invalid:\n  ${lines.join('\n  ')}\nFix the mapping file or the tenant's mapping override at the places named.`,
    { details: { connector: id, problems: problems.length > 0 ? problems : lines } },
  );
}

function problemsOf(error: unknown): MappingProblem[] {
  const problems = (error as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) ? (problems as MappingProblem[]) : [];
}
