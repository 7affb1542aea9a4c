/**
 * The routes of agent protocol v1 over the sandbox company: what a request means, not how it travels.
 * Authentication, idempotency and fault knobs live in agent-server.ts.
 */
import { z } from 'zod';
import { type AgentAnswer, type ApCompany, agentError, invoiceJson } from './ap-company.js';
import { CreateInvoiceBody, createInvoice } from './create-invoice.js';
import { setCodes } from './set-codes.js';
import { CreateVendorBody, createVendor, listVendors, readVendor } from './vendors.js';

export const AGENT_NAME = 'ledgerlink-sage300-agent (sandbox)';
export const AGENT_VERSION = '1.0.0';

const Code = z.string().max(200);
const SetCodesBody = z.strictObject({
  invoiceCode1: Code.min(1),
  invoiceCode2: Code.min(1),
  bank: z.string().min(1).max(50),
  amount: z
    .string()
    .regex(/^\d+\.\d{2}$/, 'a decimal amount with two decimals, such as "1250.00"')
    .optional(),
  checkDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .optional(),
  expect: z.strictObject({ invoiceCode1: Code.optional(), invoiceCode2: Code.optional() }).optional(),
});

/** A parsed request as the routes see it. */
export interface AgentRequest {
  method: string;
  /** Decoded path segments after the leading slash. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
}

export function route(company: ApCompany, request: AgentRequest, now: Date): AgentAnswer {
  const { method, segments } = request;
  const path = segments.join('/');
  if (path === 'v1/health') return method === 'GET' ? health(company) : notAllowed(method, 'GET');
  if (path === 'v1/ap/banks') return method === 'GET' ? banks(company) : notAllowed(method, 'GET');
  if (path === 'v1/ap/invoices') {
    if (method === 'GET') return listInvoices(company, request.query);
    if (method !== 'POST') return notAllowed(method, 'GET, POST');
    const parsed = CreateInvoiceBody.safeParse(request.body);
    return parsed.success ? createInvoice(company, parsed.data) : badBody(parsed.error);
  }
  if (path === 'v1/ap/vendors') {
    if (method === 'GET') return listVendors(company, request.query);
    if (method !== 'POST') return notAllowed(method, 'GET, POST');
    const parsed = CreateVendorBody.safeParse(request.body);
    return parsed.success ? createVendor(company, parsed.data) : badBody(parsed.error);
  }
  if (segments.length === 4 && segments[0] === 'v1' && segments[1] === 'ap' && segments[2] === 'vendors') {
    return method === 'GET' ? readVendor(company, segments[3] ?? '') : notAllowed(method, 'GET');
  }
  if (segments[0] === 'v1' && segments[1] === 'ap' && segments[2] === 'invoices') {
    const vendor = segments[3] ?? '';
    const invoice = segments[4] ?? '';
    if (segments.length === 5) {
      if (method !== 'GET') return notAllowed(method, 'GET');
      const located = company.locate(vendor, invoice);
      return 'invoiceCode1' in located ? { status: 200, body: invoiceJson(located) } : located;
    }
    if (segments.length === 6 && segments[5] === 'codes') {
      if (method !== 'PUT') return notAllowed(method, 'PUT');
      const parsed = SetCodesBody.safeParse(request.body);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
        return agentError(400, 'BAD_REQUEST', `The request body is not valid: ${problems.join('; ')}.`, { problems });
      }
      return setCodes(company, vendor, invoice, parsed.data, now);
    }
  }
  return agentError(404, 'NOT_FOUND', `No such endpoint: ${method} /${path}. This agent speaks protocol v1.`);
}

function badBody(error: z.ZodError): AgentAnswer {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
  return agentError(400, 'BAD_REQUEST', `The request body is not valid: ${problems.join('; ')}.`, { problems });
}

function notAllowed(method: string, allowed: string): AgentAnswer {
  return { ...agentError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed}.`), headers: { allow: allowed } };
}

function health(company: ApCompany): AgentAnswer {
  return {
    status: 200,
    body: {
      status: 'ok',
      protocols: ['1'],
      agent: { name: AGENT_NAME, version: AGENT_VERSION },
      sage: { product: 'Sage 300 Construction and Real Estate', version: 'sandbox', company: company.name },
    },
  };
}

function banks(company: ApCompany): AgentAnswer {
  return { status: 200, body: { banks: [...company.banks.values()].map((bank) => ({ bank: bank.bank, name: bank.name })) } };
}

const FILTERS = ['vendor', 'invoice', 'invoiceCode1', 'invoiceCode2'] as const;

function listInvoices(company: ApCompany, query: URLSearchParams): AgentAnswer {
  const known = new Set<string>([...FILTERS, 'limit', 'cursor']);
  const unknown = [...query.keys()].filter((key) => !known.has(key));
  if (unknown.length > 0) {
    return agentError(400, 'BAD_REQUEST', `Unknown query parameter ${unknown.join(', ')}; use ${[...known].join(', ')}.`);
  }
  const limitText = query.get('limit') ?? '100';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    return agentError(400, 'BAD_REQUEST', `limit must be a whole number from 1 to 500, not "${limitText}".`);
  }
  const cursorText = query.get('cursor');
  const offset = cursorText === null ? 0 : Number.parseInt(Buffer.from(cursorText, 'base64url').toString('utf8'), 10);
  if (!Number.isInteger(offset) || offset < 0) return agentError(400, 'BAD_REQUEST', 'cursor is not one this agent gave out.');
  const matches = company
    .allInvoices()
    .filter((invoice) => FILTERS.every((filter) => !query.has(filter) || invoice[filter] === query.get(filter)))
    .sort((a, b) => (a.vendor === b.vendor ? compare(a.invoice, b.invoice) : compare(a.vendor, b.vendor)));
  const page = matches.slice(offset, offset + limit);
  const next = offset + limit < matches.length ? Buffer.from(String(offset + limit), 'utf8').toString('base64url') : null;
  return { status: 200, body: { invoices: page.map(invoiceJson), nextCursor: next } };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
