import { ErrorCodes, LedgerlinkError, Outcomes, type EditableField, type ErpAnswer, type Outcome } from '@ledgerlink/core';
import type { YardiMessageRules } from './config.js';
import { attribute, child, children, textOf, type XmlNode } from './yardi-xml.js';

/** One message of a Yardi interface answer (`<Messages><Message messageType="Error" code="…">text</Message>`). */
export interface YardiMessage {
  /** `Error`, `Warning` or `Information`. */
  type: string;
  code?: string;
  text: string;
}

/** One rule of {@link YardiMessageRules}. */
export type MessageRule = YardiMessageRules['duplicateCheckNumber'];

/** True when a message's code is one of the rule's codes, or its text matches one of the rule's patterns. */
export function matchesRule(rule: MessageRule, code: string | undefined, text: string): boolean {
  if (code !== undefined && rule.codes.includes(code)) return true;
  // A message is a sentence or two; a huge one must not make a pattern like `a .* b` work for seconds.
  const head = text.slice(0, MAX_MATCHED_TEXT);
  return rule.patterns.some((pattern) => new RegExp(pattern, 'i').test(head));
}

/** How much of a message the rules look at. */
const MAX_MATCHED_TEXT = 2000;

/** The messages of a result document. */
export function messagesOf(result: XmlNode): YardiMessage[] {
  return children(child(result, 'Messages'), 'Message').map((node) => {
    const code = attribute(node, 'code');
    return {
      type: attribute(node, 'messageType') ?? 'Error',
      text: (textOf(node) ?? '').trim(),
      ...(code === undefined || code === '' ? {} : { code }),
    };
  });
}

/** The error messages only: warnings and information do not stop an import. */
export function errorsOf(messages: YardiMessage[]): YardiMessage[] {
  return messages.filter((message) => message.type.toLowerCase() === 'error');
}

/** What the ERP said, for `outcome.erp`: every error's text, the first code. */
export function erpAnswerOf(errors: YardiMessage[]): ErpAnswer {
  const code = errors.find((error) => error.code !== undefined)?.code;
  return { message: errors.map((error) => error.text).join(' | '), ...(code === undefined ? {} : { code }) };
}

/**
 * A read's result, or a coded error when Yardi refused the read with error messages (a bad filter, a property the
 * interface user may not see): an empty page must never stand for a refusal.
 */
export function readResult(method: string, result: XmlNode): XmlNode {
  const errors = errorsOf(messagesOf(result));
  if (errors.length === 0) return result;
  const erp = erpAnswerOf(errors);
  throw new LedgerlinkError(ErrorCodes.ERP_REJECTED, `Yardi refused ${method}: ${erp.message}`, { details: { erp } });
}

/** What the payment carried, for messages that say what to change. */
export interface CheckReferences {
  checkNumber: string | undefined;
  bankId: string;
  payeeId: string;
  payableId: string;
}

/**
 * The outcome of a check document Yardi refused. When every error is one a user can fix by editing the check
 * number or the bank ID, it is `needs-edit` naming those fields; any other error (an unknown payee, an unknown
 * payable, an amount above its balance) makes it `rejected`, because no edit of those two fields can fix it.
 */
export function refusalOutcome(errors: YardiMessage[], rules: YardiMessageRules, refs: CheckReferences): Outcome {
  const erp = erpAnswerOf(errors);
  const fields = new Set<EditableField>();
  let other = false;
  for (const error of errors) {
    if (matchesRule(rules.duplicateCheckNumber, error.code, error.text)) fields.add('checkNumber');
    else if (matchesRule(rules.unknownBank, error.code, error.text)) fields.add('bankId');
    else other = true;
  }
  const said = `Yardi said: ${erp.message}`;
  if (!other && fields.size > 0) {
    const what: string[] = [];
    if (fields.has('checkNumber')) what.push(`check number ${refs.checkNumber ?? '(none)'} is already used on bank ${refs.bankId}: enter another check number`);
    if (fields.has('bankId')) what.push(`Yardi has no bank ${refs.bankId}: correct the Bank ID (a bank code in Yardi, or the bankAccounts lookup)`);
    return Outcomes.needsEdit([...fields], `${what.join('; ')}, and export again. ${said}`, erp);
  }
  return Outcomes.rejected(
    `Yardi refused the check for payable ${refs.payableId} to payee ${refs.payeeId}: check that the payee (the vendor's ` +
      `Vendor Code) and the payable exist in Yardi, that the payable belongs to that payee and property and has an open ` +
      `balance of at least the amount, then export again. ${said}`,
    erp,
  );
}
