import { XMLBuilder } from 'fast-xml-parser';
import { decimalOf } from './amounts.js';
import { writeFragment } from './sandbox-xml.js';
import type { InterfaceMessage, Payable, Payee, StoredCheck } from './vendor-company.js';

/**
 * The documents the sandbox answers with. Yardi's result and fault formats are not public [U]: the sandbox keeps
 * the shape of a Yardi interface answer (a result document with a `Messages` list whose `Message` elements carry
 * `messageType`), adds a `code` attribute per rule (switchable), and answers login and licence problems with a
 * SOAP 1.1 Fault, as an .asmx service does for an exception.
 */

/** A date as .NET writes a `DateTime` without a zone. */
function dateTime(iso: string): string {
  return `${iso}T00:00:00`;
}

function messagesTree(messages: InterfaceMessage[], withCodes: boolean): unknown {
  return {
    Message: messages.map((message) => ({
      'attr:messageType': message.type,
      ...(withCodes ? { 'attr:code': message.code } : {}),
      '#text': message.text,
    })),
  };
}

function checkTree(check: StoredCheck, withDetails: boolean): Record<string, unknown> {
  const tree: Record<string, unknown> = {
    CheckId: check.checkId,
    PropertyId: check.propertyId,
    PayeeId: check.payeeId,
    BankId: check.bankId,
    CheckNumber: check.checkNumber,
    PaymentDate: dateTime(check.paymentDate),
    AmountPaid: decimalOf(check.amountCents),
    PaymentMethod: check.paymentMethod,
    PaymentNumber: check.paymentNumber,
    Notes: check.notes,
    Status: check.status,
  };
  if (withDetails) {
    tree['Details'] = {
      Detail: check.details.map((detail) => ({ PayableId: detail.payableId, InvoiceNumber: detail.invoiceNumber, AmountPaid: decimalOf(detail.amountCents) })),
    };
  }
  return tree;
}

/** `ImportCheck_LoginResult`: the messages, and the checks created (none when any error). */
export function importResult(messages: InterfaceMessage[], created: StoredCheck[], withCodes: boolean): string {
  return writeFragment({
    Messages: messagesTree(messages, withCodes),
    Checks: { Check: created.map((check) => ({ CheckId: check.checkId, CheckNumber: check.checkNumber, BankId: check.bankId })) },
  });
}

/** `GetCheckInvoiceResult`: the checks with their detail lines, or the messages of a refused query. */
export function checkInvoiceResult(checks: StoredCheck[], messages: InterfaceMessage[] = [], withCodes = true): string {
  return writeFragment({
    ...(messages.length > 0 ? { Messages: messagesTree(messages, withCodes) } : {}),
    Checks: { Check: checks.map((check) => checkTree(check, true)) },
  });
}

/** `GetPayables2Result`: payables with the checks that paid them (each check's amount on that payable). */
export function payablesResult(payables: { payable: Payable; checks: StoredCheck[] }[]): string {
  return writeFragment({
    Payables: {
      Payable: payables.map(({ payable, checks }) => ({
        PayableId: payable.id,
        PayeeId: payable.payeeId,
        PropertyId: payable.propertyId,
        InvoiceNumber: payable.invoiceNumber,
        InvoiceDate: payable.invoiceDate === undefined ? undefined : dateTime(payable.invoiceDate),
        DueDate: payable.dueDate === undefined ? undefined : dateTime(payable.dueDate),
        Amount: decimalOf(payable.amountCents),
        Retention: payable.retentionCents === undefined ? undefined : decimalOf(payable.retentionCents),
        AmountPaid: decimalOf(payable.paidCents),
        Checks: {
          Check: checks.map((check) => ({
            ...checkTree(check, false),
            AmountPaid: decimalOf(check.details.filter((detail) => detail.payableId === payable.id).reduce((sum, detail) => sum + detail.amountCents, 0)),
          })),
        },
      })),
    },
  });
}

/** `ImportPayable_LoginResult`: the messages, and the payables created (none when any error). */
export function payableImportResult(messages: InterfaceMessage[], created: Payable[], withCodes: boolean): string {
  return writeFragment({
    Messages: messagesTree(messages, withCodes),
    Payables: { Payable: created.map((payable) => ({ PayableId: payable.id, PayeeId: payable.payeeId, InvoiceNumber: payable.invoiceNumber })) },
  });
}

/** `ImportVendors_LoginResult`: the messages, and the vendors created (none when any error). */
export function vendorImportResult(messages: InterfaceMessage[], created: Payee[], withCodes: boolean): string {
  return writeFragment({ Messages: messagesTree(messages, withCodes), Vendors: { Vendor: created.map((payee) => ({ VendorId: payee.id, Name: payee.name })) } });
}

/** A vendor as `GetVendors_Login` / `GetVendor_Login` show it (never its tax id). */
function vendorTree(payee: Payee): Record<string, unknown> {
  return {
    VendorId: payee.id,
    Name: payee.name,
    Address1: payee.address?.Address1,
    City: payee.address?.City,
    State: payee.address?.State,
    ZipCode: payee.address?.ZipCode,
    Email: payee.email,
    Phone: payee.phone,
    Inactive: payee.inactive === true ? 'true' : 'false',
  };
}

/** `GetVendors_LoginResult` / `GetVendor_LoginResult`: the vendors, or the messages of a refused query. */
export function vendorsResult(payees: Payee[], messages: InterfaceMessage[] = [], withCodes = true): string {
  return writeFragment({ ...(messages.length > 0 ? { Messages: messagesTree(messages, withCodes) } : {}), Vendors: { Vendor: payees.map(vendorTree) } });
}

/** A SOAP 1.1 Fault, as the soap server writes one when a service throws it. */
export interface SoapFault {
  Fault: { faultcode: string; faultstring: string; detail?: { ErrorCode: string }; statusCode: number };
}

export function loginFault(text: string, code: string): SoapFault {
  return { Fault: { faultcode: 'soap:Client', faultstring: text, detail: { ErrorCode: code }, statusCode: 500 } };
}

const envelopeWriter = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: true, suppressBooleanAttributes: false, processEntities: true });

/** A whole SOAP Fault envelope, for answers given before the SOAP layer (throttling, server failures). */
export function faultEnvelope(faultcode: string, faultstring: string): string {
  const tree = {
    'soap:Envelope': {
      '@xmlns:soap': 'http://schemas.xmlsoap.org/soap/envelope/',
      'soap:Body': { 'soap:Fault': { faultcode, faultstring, detail: '' } },
    },
  };
  return `<?xml version="1.0" encoding="utf-8"?>${envelopeWriter.build(tree) as string}`;
}
