import {
  formatCents,
  parseCents,
  type SandboxBill,
  type SandboxPayment,
  type SandboxPaymentInput,
  type SandboxSeed,
  type SandboxVendor,
  type SandboxVendorInput,
} from '@ledgerlink/core';

/**
 * The Example ERP's in-memory company and its rules, written from its wire format (test/example/README.md),
 * not from the client. Knows nothing of HTTP: each operation returns the answer the server sends.
 */

/** A payment as the Example ERP stores and returns it. */
export interface WirePayment {
  id: string;
  vendorId: string;
  bankAccountId: string;
  checkNumber?: string;
  amount: string;
  date: string;
  method: 'CHECK' | 'ACH';
  memo?: string;
  /** POSTED is final; DRAFT is still being edited in the ERP. */
  status: 'POSTED' | 'DRAFT';
  applications: { billId: string; amount: string }[];
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** An AP bill as the Example ERP stores and returns it. */
export interface WireBill {
  id: string;
  vendorId: string;
  number: string;
  date?: string;
  dueDate?: string;
  amount: string;
  retainage: string;
  memo?: string;
  lines: { description: string; amount: string; retainage: string; costCode?: string }[];
  status: 'OPEN' | 'PAID';
}

/** A vendor as the Example ERP stores and returns it. */
export interface WireVendor {
  id: string;
  name: string;
  code?: string;
  email?: string;
  active: boolean;
}

interface Bill extends WireBill {
  openCents: number;
  /** Created through POST /v1/bills (not seeded). */
  created: boolean;
}

interface Vendor extends WireVendor {
  /** Insertion order: the vendor list's cursor. */
  sequence: number;
  created: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function errorAnswer(status: number, code: string, message: string, field?: string): Answer {
  return { status, body: { error: { code, message, ...(field === undefined ? {} : { field }) } } };
}

export class ExampleCompany {
  readonly #vendors = new Map<string, Vendor>();
  readonly #banks = new Set<string>();
  readonly #bills = new Map<string, Bill>();
  readonly #payments: WirePayment[] = [];
  /** Idempotency-Key -> the answer first given: a repeated key replays it instead of posting again. */
  readonly #answered = new Map<string, Answer>();

  seed(seed: SandboxSeed): void {
    for (const vendor of seed.vendors ?? []) this.#putVendor({ id: vendor.id, name: vendor.name, active: true }, false);
    for (const bank of seed.bankAccounts ?? []) this.#banks.add(bank.id);
    for (const bill of seed.bills ?? []) {
      const amount = formatCents(bill.amountCents);
      this.#bills.set(bill.id, {
        id: bill.id,
        vendorId: bill.vendorId,
        number: bill.number,
        amount,
        retainage: '0.00',
        lines: [],
        status: 'OPEN',
        openCents: bill.amountCents,
        created: false,
      });
    }
  }

  /** POST /v1/bills: the same Idempotency-Key rules as payments. */
  createBill(body: unknown, idempotencyKey: string | undefined): { answer: Answer; committed: boolean } {
    return this.#once(idempotencyKey, () => this.#createBill(body));
  }

  /** POST /v1/vendors: the same Idempotency-Key rules as payments. */
  createVendor(body: unknown, idempotencyKey: string | undefined): { answer: Answer; committed: boolean } {
    return this.#once(idempotencyKey, () => this.#createVendor(body));
  }

  /** GET /v1/bills: filters by vendorId and number; pages like payments (`after` a bill's place, `limit`). */
  listBills(query: URLSearchParams): Answer {
    const bills = [...this.#bills.values()].map(({ openCents: _open, created: _created, ...wire }) => wire);
    return page(bills, query, ['vendorId', 'number']);
  }

  /** GET /v1/vendors: filters by code and name; pages by `after` (a vendor's place in the list) and `limit`. */
  listVendors(query: URLSearchParams): Answer {
    const vendors = [...this.#vendors.values()].sort((a, b) => a.sequence - b.sequence).map(({ sequence: _s, created: _c, ...wire }) => wire);
    return page(vendors, query, ['code', 'name']);
  }

  /** A vendor made in the ERP directly (an accountant's own entry). */
  addVendor(input: SandboxVendorInput): string {
    return this.#putVendor({ id: `VEN-${this.#vendors.size + 1}`, name: input.name, ...(input.code === undefined ? {} : { code: input.code }), active: input.active }, false).id;
  }

  bills(): SandboxBill[] {
    return [...this.#bills.values()].map((bill) => ({
      erpId: bill.id,
      vendorId: bill.vendorId,
      number: bill.number,
      amountCents: parseCents(bill.amount),
      retainageCents: parseCents(bill.retainage),
      ...(bill.date === undefined ? {} : { date: bill.date }),
      lines: bill.lines.map((line) => ({ amountCents: parseCents(line.amount), description: line.description, ...(line.costCode === undefined ? {} : { costCode: line.costCode }) })),
      created: bill.created,
      fields: structuredClone(bill) as unknown as Record<string, unknown>,
    }));
  }

  vendors(): SandboxVendor[] {
    return [...this.#vendors.values()].map((vendor) => ({
      erpId: vendor.id,
      name: vendor.name,
      ...(vendor.code === undefined ? {} : { code: vendor.code }),
      active: vendor.active,
      created: vendor.created,
      fields: structuredClone(vendor) as unknown as Record<string, unknown>,
    }));
  }

  #putVendor(wire: WireVendor, created: boolean): Vendor {
    const earlier = this.#vendors.get(wire.id);
    const vendor: Vendor = { ...wire, sequence: earlier?.sequence ?? this.#vendors.size + 1, created };
    this.#vendors.set(vendor.id, vendor);
    return vendor;
  }

  #once(idempotencyKey: string | undefined, create: () => Answer): { answer: Answer; committed: boolean } {
    const earlier = idempotencyKey === undefined ? undefined : this.#answered.get(idempotencyKey);
    if (earlier !== undefined) {
      return { answer: { ...earlier, headers: { ...earlier.headers, 'idempotent-replay': 'true' } }, committed: false };
    }
    const answer = create();
    if (idempotencyKey !== undefined) this.#answered.set(idempotencyKey, answer);
    return { answer, committed: answer.status === 201 };
  }

  #createBill(body: unknown): Answer {
    const request = readBillRequest(body);
    if (typeof request === 'string') return errorAnswer(422, 'VALIDATION_FAILED', request);
    if (!this.#vendors.has(request.vendorId)) return errorAnswer(404, 'VENDOR_NOT_FOUND', `Vendor ${request.vendorId} does not exist.`, 'vendorId');
    if ([...this.#bills.values()].some((bill) => bill.vendorId === request.vendorId && bill.number === request.number)) {
      return errorAnswer(409, 'DUPLICATE_BILL_NUMBER', `Vendor ${request.vendorId} already has bill number ${request.number}.`, 'number');
    }
    const lineCents = request.lines.reduce((sum, line) => sum + parseCents(line.amount), 0);
    if (lineCents !== parseCents(request.amount)) {
      return errorAnswer(422, 'AMOUNT_MISMATCH', `Amount ${request.amount} does not equal the lines' ${formatCents(lineCents)}.`, 'amount');
    }
    const bill: Bill = { ...request, id: `BILL-${this.#bills.size + 1}`, status: 'OPEN', openCents: parseCents(request.amount), created: true };
    this.#bills.set(bill.id, bill);
    const { openCents: _open, created: _created, ...wire } = bill;
    return { status: 201, body: structuredClone(wire) };
  }

  #createVendor(body: unknown): Answer {
    if (typeof body !== 'object' || body === null) return errorAnswer(422, 'VALIDATION_FAILED', 'The body must be a JSON object.');
    const b = body as Record<string, unknown>;
    if (typeof b.name !== 'string' || b.name.trim() === '') return errorAnswer(422, 'VALIDATION_FAILED', 'name is required.', 'name');
    for (const key of ['code', 'email'] as const) {
      if (b[key] !== undefined && typeof b[key] !== 'string') return errorAnswer(422, 'VALIDATION_FAILED', `${key} must be a string.`, key);
    }
    if (b.active !== undefined && typeof b.active !== 'boolean') return errorAnswer(422, 'VALIDATION_FAILED', 'active must be true or false.', 'active');
    const code = b.code as string | undefined;
    if (code !== undefined && [...this.#vendors.values()].some((vendor) => vendor.code === code)) {
      return errorAnswer(409, 'DUPLICATE_VENDOR_CODE', `Vendor code ${code} is already used.`, 'code');
    }
    const vendor = this.#putVendor(
      {
        id: `VEN-${this.#vendors.size + 1}`,
        name: b.name,
        ...(code === undefined ? {} : { code }),
        ...(b.email === undefined ? {} : { email: b.email as string }),
        active: b.active !== false,
      },
      true,
    );
    const { sequence: _s, created: _c, ...wire } = vendor;
    return { status: 201, body: wire };
  }

  /** POST /v1/payments. `committed` is true when this call stored a new payment (not a replay, not a refusal). */
  createPayment(body: unknown, idempotencyKey: string | undefined): { answer: Answer; committed: boolean } {
    return this.#once(idempotencyKey, () => this.#create(body));
  }

  #create(body: unknown): Answer {
    const request = readPaymentRequest(body);
    if (typeof request === 'string') return errorAnswer(422, 'VALIDATION_FAILED', request);
    if (!this.#vendors.has(request.vendorId)) {
      return errorAnswer(404, 'VENDOR_NOT_FOUND', `Vendor ${request.vendorId} does not exist.`, 'vendorId');
    }
    if (!this.#banks.has(request.bankAccountId)) {
      return errorAnswer(404, 'BANK_ACCOUNT_NOT_FOUND', `Bank account ${request.bankAccountId} does not exist.`, 'bankAccountId');
    }
    for (const application of request.applications) {
      const bill = this.#bills.get(application.billId);
      if (bill === undefined) return errorAnswer(404, 'BILL_NOT_FOUND', `Bill ${application.billId} does not exist.`, 'applications.billId');
      if (bill.vendorId !== request.vendorId) {
        return errorAnswer(422, 'BILL_VENDOR_MISMATCH', `Bill ${bill.id} belongs to vendor ${bill.vendorId}.`, 'applications.billId');
      }
      if (application.cents > bill.openCents) {
        return errorAnswer(422, 'OVERPAYMENT', `Bill ${bill.id} has ${formatCents(bill.openCents)} open.`, 'applications.amount');
      }
    }
    const { checkNumber, bankAccountId } = request;
    if (checkNumber !== undefined && this.#payments.some((p) => p.bankAccountId === bankAccountId && p.checkNumber === checkNumber)) {
      return errorAnswer(409, 'DUPLICATE_CHECK_NUMBER', `Check number ${checkNumber} is already used on bank account ${bankAccountId}.`, 'checkNumber');
    }
    const applied = request.applications.reduce((sum, application) => sum + application.cents, 0);
    if (applied !== request.cents) {
      return errorAnswer(422, 'AMOUNT_MISMATCH', `Amount ${request.amount} does not equal the applied ${formatCents(applied)}.`, 'amount');
    }
    const { cents: _cents, applications, ...wire } = request;
    const payment = this.#store({ ...wire, applications: applications.map(({ billId, amount }) => ({ billId, amount })), status: 'POSTED' });
    return { status: 201, body: payment };
  }

  /** GET /v1/payments: filters by status, bankAccountId, checkNumber; pages by `after` (a payment number) and `limit`. */
  listPayments(query: URLSearchParams): Answer {
    const after = Number(query.get('after') ?? '0');
    const limit = Math.min(100, Number(query.get('limit') ?? '100'));
    if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) {
      return errorAnswer(400, 'BAD_QUERY', 'after must be a payment number and limit 1 to 100.');
    }
    const matches = this.#payments.filter(
      (payment) =>
        sequenceOf(payment) > after &&
        ['status', 'bankAccountId', 'checkNumber', 'vendorId'].every((key) => {
          const wanted = query.get(key);
          return wanted === null || (payment as unknown as Record<string, unknown>)[key] === wanted;
        }),
    );
    const data = matches.slice(0, limit);
    const last = data.at(-1);
    return { status: 200, body: { data, cursor: String(last === undefined ? after : sequenceOf(last)), hasMore: matches.length > limit } };
  }

  /** A payment made in the ERP directly (an accountant's own entry). */
  addPayment(input: SandboxPaymentInput): string {
    const amount = formatCents(input.amountCents);
    return this.#store({
      vendorId: input.vendorId,
      bankAccountId: input.bankAccountId,
      ...(input.checkNumber === undefined ? {} : { checkNumber: input.checkNumber }),
      amount,
      date: input.date,
      method: input.method === 'ach' ? 'ACH' : 'CHECK',
      ...(input.notes === undefined ? {} : { memo: input.notes }),
      status: input.final ? 'POSTED' : 'DRAFT',
      applications: [{ billId: input.billId, amount }],
    }).id;
  }

  payments(): SandboxPayment[] {
    return this.#payments.map((payment) => ({
      erpId: payment.id,
      vendorId: payment.vendorId,
      bankAccountId: payment.bankAccountId,
      ...(payment.checkNumber === undefined ? {} : { checkNumber: payment.checkNumber }),
      amountCents: parseCents(payment.amount),
      date: payment.date,
      method: payment.method,
      status: payment.status,
      final: payment.status === 'POSTED',
      applications: payment.applications.map(({ billId, amount }) => ({ billId, amountCents: parseCents(amount) })),
      ...(payment.memo === undefined ? {} : { memo: payment.memo }),
      fields: structuredClone(payment) as unknown as Record<string, unknown>,
    }));
  }

  #store(record: Omit<WirePayment, 'id'>): WirePayment {
    const payment: WirePayment = { id: `PMT-${this.#payments.length + 1}`, ...record };
    for (const application of payment.applications) {
      const bill = this.#bills.get(application.billId);
      if (bill !== undefined) bill.openCents -= parseCents(application.amount);
    }
    this.#payments.push(payment);
    return structuredClone(payment);
  }
}

function sequenceOf(payment: WirePayment): number {
  return Number(payment.id.slice('PMT-'.length));
}

interface PaymentRequest extends Omit<WirePayment, 'id' | 'status' | 'applications'> {
  cents: number;
  applications: { billId: string; amount: string; cents: number }[];
}

/** Reads a POST /v1/payments body, or says what is wrong with it. */
function readPaymentRequest(body: unknown): PaymentRequest | string {
  if (typeof body !== 'object' || body === null) return 'The body must be a JSON object.';
  const b = body as Record<string, unknown>;
  for (const key of ['vendorId', 'bankAccountId', 'amount', 'date', 'method'] as const) {
    if (typeof b[key] !== 'string' || b[key] === '') return `${key} is required.`;
  }
  for (const key of ['checkNumber', 'memo'] as const) {
    if (b[key] !== undefined && typeof b[key] !== 'string') return `${key} must be a string.`;
  }
  if (!DATE.test(b.date as string)) return 'date must be YYYY-MM-DD.';
  if (b.method !== 'CHECK' && b.method !== 'ACH') return 'method must be CHECK or ACH.';
  const cents = amountCents(b.amount);
  if (cents === undefined) return 'amount must be a positive decimal with two places.';
  if (!Array.isArray(b.applications) || b.applications.length === 0) return 'applications must list at least one bill.';
  const applications: PaymentRequest['applications'] = [];
  for (const raw of b.applications as unknown[]) {
    const application = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const applied = amountCents(application.amount);
    if (typeof application.billId !== 'string' || applied === undefined) return 'each application needs a billId and an amount.';
    applications.push({ billId: application.billId, amount: application.amount as string, cents: applied });
  }
  return {
    vendorId: b.vendorId as string,
    bankAccountId: b.bankAccountId as string,
    ...(b.checkNumber === undefined ? {} : { checkNumber: b.checkNumber as string }),
    amount: b.amount as string,
    cents,
    date: b.date as string,
    method: b.method,
    ...(b.memo === undefined ? {} : { memo: b.memo as string }),
    applications,
  };
}

/** The Example ERP takes amounts as strings with exactly two decimals, like "123.45". */
function amountCents(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+\.\d{2}$/.test(value)) return undefined;
  const cents = parseCents(value);
  return cents > 0 ? cents : undefined;
}

/** One page of a list answer: `after` is a place in the list (1-based), the cursor the place of the page's last record. */
function page<T extends object>(all: T[], query: URLSearchParams, filters: string[]): Answer {
  const after = Number(query.get('after') ?? '0');
  const limit = Math.min(100, Number(query.get('limit') ?? '100'));
  if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) {
    return errorAnswer(400, 'BAD_QUERY', 'after must be a place in the list and limit 1 to 100.');
  }
  const places = all
    .map((record, index) => ({ record, place: index + 1 }))
    .filter(
      ({ record, place }) =>
        place > after &&
        filters.every((key) => {
          const wanted = query.get(key);
          return wanted === null || (record as Record<string, unknown>)[key] === wanted;
        }),
    );
  const data = places.slice(0, limit);
  const last = data.at(-1);
  return { status: 200, body: { data: data.map(({ record }) => record), cursor: String(last === undefined ? after : last.place), hasMore: places.length > limit } };
}

type BillRequest = Omit<WireBill, 'id' | 'status'>;

/** Reads a POST /v1/bills body, or says what is wrong with it. */
function readBillRequest(body: unknown): BillRequest | string {
  if (typeof body !== 'object' || body === null) return 'The body must be a JSON object.';
  const b = body as Record<string, unknown>;
  for (const key of ['vendorId', 'number', 'amount'] as const) {
    if (typeof b[key] !== 'string' || b[key] === '') return `${key} is required.`;
  }
  for (const key of ['date', 'dueDate'] as const) {
    if (b[key] !== undefined && (typeof b[key] !== 'string' || !DATE.test(b[key] as string))) return `${key} must be YYYY-MM-DD.`;
  }
  if (b.memo !== undefined && typeof b.memo !== 'string') return 'memo must be a string.';
  if (amountCents(b.amount) === undefined) return 'amount must be a positive decimal with two places.';
  const retainage = b.retainage ?? '0.00';
  if (typeof retainage !== 'string' || !/^\d+\.\d{2}$/.test(retainage)) return 'retainage must be a decimal with two places.';
  if (!Array.isArray(b.lines) || b.lines.length === 0) return 'lines must list at least one line.';
  const lines: BillRequest['lines'] = [];
  for (const raw of b.lines as unknown[]) {
    const line = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const lineRetainage = line.retainage ?? '0.00';
    const money = /^\d+\.\d{2}$/;
    if (typeof line.amount !== 'string' || !money.test(line.amount) || typeof lineRetainage !== 'string' || !money.test(lineRetainage)) {
      return 'each line needs an amount (and a retainage, if any) with two decimals.';
    }
    if (line.costCode !== undefined && typeof line.costCode !== 'string') return 'a line costCode must be a string.';
    lines.push({
      description: typeof line.description === 'string' ? line.description : '',
      amount: line.amount,
      retainage: lineRetainage,
      ...(line.costCode === undefined ? {} : { costCode: line.costCode as string }),
    });
  }
  return {
    vendorId: b.vendorId as string,
    number: b.number as string,
    ...(b.date === undefined ? {} : { date: b.date as string }),
    ...(b.dueDate === undefined ? {} : { dueDate: b.dueDate as string }),
    amount: b.amount as string,
    retainage,
    ...(b.memo === undefined ? {} : { memo: b.memo as string }),
    lines,
  };
}
