import { createHmac, randomBytes } from 'node:crypto';
import type { Delivery, DeliveryAttempt } from './types.js';

export interface WebhookSenderOptions {
  /** The receiver must answer 2xx within this (Procore: 5 s). */
  timeoutMs: number;
  /** First retry delay; doubles per attempt (Procore: from 1 s). */
  baseDelayMs: number;
  /** Longest delay between attempts (Procore: 1 h). */
  maxDelayMs: number;
  /** No attempt starts later than this after the first (Procore: 12 h, then the event is discarded). */
  horizonMs: number;
}

export interface Subscription {
  url: string;
  secret: string;
  /** Which proofs to send: the hook's static bearer header, the HMAC signature, or both (default). */
  auth?: 'bearer' | 'hmac' | 'both';
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

/**
 * Delivers events to subscribers as Procore does: POST the JSON payload, expect 2xx within the timeout, otherwise
 * retry with exponential backoff until the horizon, then discard. Every attempt is recorded.
 */
export class WebhookSender {
  private readonly subscriptions: Subscription[] = [];
  private readonly deliveries: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  subscribe(subscription: Subscription): void {
    this.subscriptions.push(subscription);
  }

  publish(eventId: string, eventType: Delivery['eventType'], resourceId: string, payload: unknown): void {
    const body = JSON.stringify(payload);
    for (const subscription of this.subscriptions) {
      const delivery: Delivery = { id: `dlv-${this.deliveries.length + 1}`, eventId, eventType, resourceId, url: subscription.url, state: 'pending', attempts: [], body };
      this.deliveries.push(delivery);
      void this.attempt(delivery, subscription, Date.now());
    }
  }

  list(): Delivery[] {
    return this.deliveries.map((delivery) => ({ ...delivery, attempts: delivery.attempts.map((attempt) => ({ ...attempt })) }));
  }

  /** Resolves once no delivery is pending (or the sender closed); for tests and the demo. */
  async idle(pollMs = 20): Promise<void> {
    while (!this.closed && this.deliveries.some((delivery) => delivery.state === 'pending')) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    for (const delivery of this.deliveries) if (delivery.state === 'pending') delivery.state = 'stopped';
  }

  private async attempt(delivery: Delivery, subscription: Subscription, firstAt: number): Promise<void> {
    if (this.closed) return;
    const started = Date.now();
    const record: DeliveryAttempt = { attempt: delivery.attempts.length + 1, at: new Date(started).toISOString(), durationMs: 0 };
    delivery.attempts.push(record);
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.options.timeoutMs);
    try {
      const response = await fetch(subscription.url, { method: 'POST', headers: this.headers(delivery.body, subscription, started), body: delivery.body, signal: controller.signal });
      await response.arrayBuffer().catch(() => undefined);
      record.status = response.status;
    } catch {
      record.error = controller.signal.aborted ? 'timeout' : 'network';
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
      record.durationMs = Date.now() - started;
    }
    if (this.closed) {
      if (delivery.state === 'pending') delivery.state = record.status !== undefined && record.status < 300 && record.status >= 200 ? 'delivered' : 'stopped';
      return;
    }
    if (record.status !== undefined && record.status >= 200 && record.status < 300) {
      delivery.state = 'delivered';
      return;
    }
    const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (delivery.attempts.length - 1));
    if (Date.now() + delay - firstAt > this.options.horizonMs) {
      delivery.state = 'discarded';
      return;
    }
    const retry = setTimeout(() => {
      this.timers.delete(retry);
      void this.attempt(delivery, subscription, firstAt);
    }, delay);
    this.timers.add(retry);
  }

  private headers(body: string, subscription: Subscription, at: number): Record<string, string> {
    const auth = subscription.auth ?? 'both';
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Procore-Webhooks (ledgerlink sandbox)' };
    if (auth !== 'hmac') headers.authorization = `Bearer ${subscription.secret}`;
    if (auth !== 'bearer') {
      const t = Math.floor(at / 1000);
      const v1 = createHmac('sha256', subscription.secret).update(`${t}.${body}`, 'utf8').digest('hex');
      headers['x-ledgerlink-signature'] = `t=${t},v1=${v1}`;
    }
    return headers;
  }
}
