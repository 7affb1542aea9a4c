import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Delivery, DeliveryAttempt, DeliveryKnobs, ErpRequestName, HookWire } from './types.js';

export interface DeliveryTimings {
  /** The receiver must answer 2xx within this once connected (Procore: 5 s). */
  timeoutMs: number;
  /** First retry delay, doubling per failure (Procore: 1 s). */
  baseDelayMs: number;
  /** Longest delay between retries (Procore: 1 h). */
  maxDelayMs: number;
  /** After retrying this long the hook's queue is flushed and its events discarded (Procore: 12 h). */
  horizonMs: number;
  /** Deliveries in flight per hook while it is healthy. */
  concurrency: number;
}

/** One event to deliver: an ERP Request was created. */
export interface ErpRequestEvent {
  companyId: number;
  requestId: number;
  requestName: ErpRequestName;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 48 bits of milliseconds and 80 random bits, Crockford base32, 26 characters. */
export function ulid(now: number): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = (CROCKFORD[t % 32] as string) + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += CROCKFORD[(random[i] as number) % 32];
  return time + tail;
}

/** A hook's queue: healthy (several in flight) or failing (one at a time, backing off, until the horizon). */
interface HookQueue {
  hook: HookWire;
  waiting: Delivery[];
  inFlight: number;
  /** When the current run of failures began; null while healthy. */
  failingSince: number | null;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
}

/**
 * Procore's webhook delivery service, per hook: POST the v2 event with the hook's `destination_headers`, expect 2xx
 * within the timeout; on a failure the queue pauses and retries with exponential backoff; a success resets the
 * backoff; after the horizon of retries the queue is flushed and its events are discarded. Knobs duplicate an event,
 * discard events outright, or pause everything.
 */
export class DeliveryService {
  private readonly all: Delivery[] = [];
  private readonly queues = new Map<number, HookQueue>();
  private readonly controllers = new Set<AbortController>();
  private knobs: DeliveryKnobs = { duplicateNext: 0, discardNext: 0, paused: false };
  private nextDeliveryId = 1;
  private nextEventId = 1;
  private closed = false;
  private readonly httpAgent = new Agent({ keepAlive: true });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true });

  constructor(private readonly timings: DeliveryTimings) {
    this.nextEventId = Math.floor(Date.now() / 1000) * 1000;
  }

  setKnobs(next: Partial<DeliveryKnobs>): void {
    const wasPaused = this.knobs.paused;
    this.knobs = { ...this.knobs, ...next };
    if (wasPaused && !this.knobs.paused) for (const queue of this.queues.values()) this.pump(queue);
  }

  /** Queues the event for every hook given (the company's hooks with an `ERP Requests` / `create` trigger). */
  publish(event: ErpRequestEvent, hooks: HookWire[]): void {
    if (this.closed || hooks.length === 0) return;
    const copies = this.knobs.duplicateNext > 0 ? 2 : 1;
    if (copies === 2) this.knobs.duplicateNext--;
    const discard = this.knobs.discardNext > 0;
    if (discard) this.knobs.discardNext--;
    const at = Date.now();
    const id = this.nextEventId++;
    const eventUlid = ulid(at);
    for (const hook of hooks) {
      const body = JSON.stringify({
        id,
        ulid: eventUlid,
        timestamp: new Date(at).toISOString(),
        metadata: { source_user_id: 1, source_project_id: null, source_operation_id: null, source_company_id: event.companyId, source_application_id: null },
        user_id: 1,
        company_id: event.companyId,
        project_id: null,
        api_version: hook.api_version,
        event_type: 'create',
        resource_name: 'ERP Requests',
        resource_id: event.requestId,
      });
      const headers = { 'content-type': 'application/json', 'user-agent': 'Procore-Webhooks (ledgerlink sandbox)', ...hook.destination_headers };
      const queue = this.queue(hook);
      for (let copy = 0; copy < copies; copy++) {
        const delivery: Delivery = {
          id: this.nextDeliveryId++,
          hookId: hook.id,
          companyId: event.companyId,
          ulid: eventUlid,
          eventId: id,
          resourceId: event.requestId,
          requestName: event.requestName,
          outcome: discard ? 'discarded' : 'pending',
          duplicate: copy > 0,
          attempts: [],
          body,
          headers,
        };
        this.all.push(delivery);
        if (!discard) queue.waiting.push(delivery);
      }
      this.pump(queue);
    }
  }

  list(hookId?: number): Delivery[] {
    return this.all.filter((d) => hookId === undefined || d.hookId === hookId).map((d) => ({ ...d, headers: { ...d.headers }, attempts: d.attempts.map((a) => ({ ...a })) }));
  }

  /** True while a delivery waits, is in flight or waits for a retry (paused queues count as idle). */
  busy(): boolean {
    if (this.closed) return false;
    for (const queue of this.queues.values()) {
      if (queue.inFlight > 0 || queue.retryTimer !== null) return true;
      if (queue.waiting.length > 0 && !this.knobs.paused) return true;
    }
    return false;
  }

  async idle(pollMs = 10): Promise<void> {
    while (this.busy()) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) {
      if (queue.retryTimer !== null) clearTimeout(queue.retryTimer);
      queue.retryTimer = null;
      for (const delivery of queue.waiting) delivery.outcome = 'stopped';
      queue.waiting = [];
    }
    for (const controller of this.controllers) controller.abort();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** One POST over keep-alive connections; resolves with the status once the whole answer arrived. */
  private post(url: string, delivery: Delivery, signal: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const https = target.protocol === 'https:';
      const outgoing = (https ? httpsRequest : httpRequest)(
        target,
        { method: 'POST', headers: { ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body)) }, agent: https ? this.httpsAgent : this.httpAgent, signal },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(delivery.body);
    });
  }

  private queue(hook: HookWire): HookQueue {
    let queue = this.queues.get(hook.id);
    if (queue === undefined) {
      queue = { hook, waiting: [], inFlight: 0, failingSince: null, failures: 0, retryTimer: null };
      this.queues.set(hook.id, queue);
    }
    queue.hook = hook;
    return queue;
  }

  private pump(queue: HookQueue): void {
    if (this.closed || this.knobs.paused || queue.retryTimer !== null) return;
    const limit = queue.failingSince === null ? this.timings.concurrency : 1;
    while (queue.inFlight < limit && queue.waiting.length > 0) {
      const delivery = queue.waiting.shift() as Delivery;
      queue.inFlight++;
      void this.attempt(queue, delivery);
    }
  }

  private async attempt(queue: HookQueue, delivery: Delivery): Promise<void> {
    const started = Date.now();
    const record: DeliveryAttempt = { attempt: delivery.attempts.length + 1, at: new Date(started).toISOString(), durationMs: 0 };
    delivery.attempts.push(record);
    const controller = new AbortController();
    this.controllers.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timings.timeoutMs);
    try {
      record.status = await this.post(queue.hook.destination_url, delivery, controller.signal);
    } catch {
      record.error = controller.signal.aborted ? 'timeout' : 'network';
    } finally {
      clearTimeout(timer);
      this.controllers.delete(controller);
      record.durationMs = Date.now() - started;
      queue.inFlight--;
    }
    const ok = record.status !== undefined && record.status >= 200 && record.status < 300;
    if (this.closed) {
      delivery.outcome = ok ? 'ok' : 'stopped';
      return;
    }
    if (ok) {
      delivery.outcome = 'ok';
      queue.failingSince = null;
      queue.failures = 0;
      this.pump(queue);
      return;
    }
    delivery.outcome = 'retried';
    queue.waiting.unshift(delivery);
    if (queue.retryTimer !== null) return;
    const now = Date.now();
    queue.failingSince ??= started;
    queue.failures++;
    const delay = Math.min(this.timings.maxDelayMs, this.timings.baseDelayMs * 2 ** (queue.failures - 1));
    if (now + delay - queue.failingSince > this.timings.horizonMs) {
      // Twelve hours of retries: Procore flushes the queue and marks its events discarded.
      for (const waiting of queue.waiting) waiting.outcome = 'discarded';
      queue.waiting = [];
      queue.failingSince = null;
      queue.failures = 0;
      return;
    }
    queue.retryTimer = setTimeout(() => {
      queue.retryTimer = null;
      this.pump(queue);
    }, delay);
  }
}
