import { createDocument, documentState } from './document.js';
import { MappingFileError } from './errors.js';
import { closest } from './model-paths.js';
import type { EntitiesSpec } from './spec.js';
import type { MappingDocument, MappingProblem } from './types.js';
import { validateTree, type ValidatedTree } from './validate-document.js';

/**
 * Merges a customer's override onto a connector's mapping: field by field, an override field replaces the
 * connector's field of the same target (a group as a whole) or adds one; `null` removes one. The result is
 * validated like a connector's mapping, and a problem in it points into the file its field came from.
 */
export function mergeMapping(base: MappingDocument, override: MappingDocument): MappingDocument {
  const baseState = documentState(base);
  const overrideState = documentState(override);
  const problems: MappingProblem[] = [];
  const { connector } = baseState.tree;
  const overrideConnector = overrideState.tree.connector;
  if (overrideConnector !== undefined && connector !== undefined && overrideConnector !== connector) {
    problems.push({
      ...overrideState.positions.at(['connector'], 'value'),
      message: `this override is for connector '${overrideConnector}', but the mapping it overrides is for '${connector}'`,
    });
  }

  const entities = structuredClone(baseState.tree.entities) as EntitiesSpec;
  let positions = baseState.positions;
  for (const [entity, directions] of Object.entries(overrideState.tree.entities)) {
    for (const [direction, spec] of Object.entries(directions ?? {})) {
      if (!spec) continue;
      const into = ((entities[entity] ??= {})[direction] ??= { fields: {} });
      const sectionPath = ['entities', entity, direction];
      positions = positions.withEntries([['entities', entity], sectionPath, [...sectionPath, 'fields']], overrideState.positions);
      for (const [target, field] of Object.entries(spec.fields)) {
        const fieldPath = [...sectionPath, 'fields', target];
        if (field === null && !Object.hasOwn(into.fields, target)) {
          const guess = closest(target, Object.keys(into.fields));
          problems.push({
            ...overrideState.positions.at(fieldPath, 'key'),
            message: `'${target}' is not a field of the ${entity} ${direction} mapping, so there is nothing to remove${guess ? ` (did you mean ${guess}?)` : ''}`,
          });
          continue;
        }
        if (field === null) delete into.fields[target];
        else into.fields[target] = structuredClone(field);
        positions = positions.replaceUnder(fieldPath, overrideState.positions);
      }
    }
  }

  const tree: ValidatedTree = {
    ...(baseState.tree.version === undefined ? {} : { version: baseState.tree.version }),
    ...(connector ?? overrideConnector ? { connector: (connector ?? overrideConnector)! } : {}),
    entities,
  };
  const result = validateTree(tree, positions, false);
  problems.push(...result.problems);
  if (problems.length > 0 || !result.tree) throw new MappingFileError(problems);
  return createDocument(base.file, result.tree, positions);
}
