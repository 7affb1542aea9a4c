import type { Connector } from '../connector/define-connector.js';
import type { CompiledMapping, MappingDocument } from '../mapping/types.js';
import { compileEntityMappings } from './entity-mappings.js';

export interface PaymentMappings {
  /** Present when the connector exports payments. */
  export?: CompiledMapping;
  /** Present when the connector imports payments. */
  import?: CompiledMapping;
}

/**
 * The payment mappings alone, kept for callers written before entities: compiles every declared entity ×
 * direction (a mistake anywhere is LL_MAPPING_INVALID with `file:line:col` places) and returns the payment ones.
 */
export function compilePaymentMappings(connector: Pick<Connector, 'manifest' | 'capabilities' | 'mapping'>, override?: MappingDocument): PaymentMappings {
  return compileEntityMappings(connector, override).payment ?? {};
}
