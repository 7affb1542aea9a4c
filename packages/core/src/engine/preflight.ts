import { supports } from '../connector/capabilities.js';
import type { Connector } from '../connector/define-connector.js';
import { Outcomes, type RejectedOutcome } from '../connector/outcome.js';
import { ErrorCodes } from '../errors.js';
import { formatCents } from '../model/money.js';
import { isPartialPayment, type Payment } from '../model/payment.js';

/**
 * The refusals that need no ERP call, in the order a user would fix them: the connector cannot export
 * payments at all; the payment is partial and the ERP takes only full payments; it carries tax or markups,
 * which payment sync does not support (seed 001). Returns the first refusal, or null when the payment may go.
 */
export function preflightPayment(connector: Pick<Connector, 'manifest' | 'capabilities'>, payment: Payment): RejectedOutcome | null {
  const { displayName, id } = connector.manifest;
  if (!supports(connector.capabilities, 'payment', 'export')) {
    return Outcomes.rejected(
      `${displayName} (${id}) does not export payments; record payment ${payment.id} in the ERP by hand, or use a ` +
        'connector that declares payment export',
      undefined,
      ErrorCodes.CAPABILITY_MISSING,
    );
  }
  if (isPartialPayment(payment) && !connector.capabilities.partialPayments) {
    return Outcomes.rejected(
      `partial payment of ${formatCents(payment.amountCents)} of invoice total ${formatCents(payment.invoice.amountCents)}: ` +
        `${displayName} does not accept partial payments; pay the invoice in full or record this payment in the ERP by hand`,
      undefined,
      ErrorCodes.PARTIAL_PAYMENT_UNSUPPORTED,
    );
  }
  if ((payment.taxCents ?? 0) > 0) {
    return Outcomes.rejected(
      `payment ${payment.id} carries tax of ${formatCents(payment.taxCents ?? 0)}: tax is not supported when syncing ` +
        'payments; record this payment in the ERP by hand',
      undefined,
      ErrorCodes.TAX_UNSUPPORTED,
    );
  }
  if ((payment.markupCents ?? 0) > 0) {
    return Outcomes.rejected(
      `payment ${payment.id} carries markups of ${formatCents(payment.markupCents ?? 0)}: markups are not supported when ` +
        'syncing payments; record this payment in the ERP by hand',
      undefined,
      ErrorCodes.MARKUP_UNSUPPORTED,
    );
  }
  return null;
}
