import { describe, expect, it } from 'vitest';
import { ErrorCodes, LedgerlinkError, resolveRateLimit, type Logger } from '../src/index.js';

const declared = { requests: 500, intervalMs: 60_000, concurrency: 10 };

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const noop = () => {};
  const logger: Logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: (fields: Record<string, unknown> | string, message?: string) => warnings.push(typeof fields === 'string' ? fields : (message ?? '')),
    error: noop,
    child: () => logger,
  };
  return { logger, warnings };
}

function refusal(run: () => unknown): LedgerlinkError {
  try {
    run();
  } catch (error) {
    if (error instanceof LedgerlinkError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('resolveRateLimit', () => {
  it('keeps the declared limit without an override', () => {
    expect(resolveRateLimit(declared, undefined)).toEqual(declared);
  });

  it('lets a customer lower any value', () => {
    expect(resolveRateLimit(declared, { requests: 100 })).toEqual({ requests: 100, intervalMs: 60_000, concurrency: 10 });
    expect(resolveRateLimit(declared, { concurrency: 2, intervalMs: 120_000 })).toEqual({ requests: 500, intervalMs: 120_000, concurrency: 2 });
    // 8 a second is 480 a minute: within 500 per minute.
    expect(resolveRateLimit(declared, { requests: 8, intervalMs: 1_000 })).toEqual({ requests: 8, intervalMs: 1_000, concurrency: 10 });
  });

  it('refuses a value above the declared one, naming the field and the declared value', () => {
    const error = refusal(() => resolveRateLimit(declared, { requests: 600 }, { label: 'tenant acme, connector qbo' }));
    expect(error.code).toBe(ErrorCodes.CONNECTOR_CONFIG_INVALID);
    expect(error.message).toContain('rateLimit.requests 600 is above the declared 500');
    expect(error.message).toContain('tenant acme, connector qbo');
    expect(error.message).toContain('allowAboveDeclared');

    const both = refusal(() => resolveRateLimit(declared, { concurrency: 20, requests: 501 }));
    expect(both.message).toContain('rateLimit.concurrency 20 is above the declared 10');
    expect(both.message).toContain('rateLimit.requests 501 is above the declared 500');
  });

  it('refuses a shorter interval that lets more calls into the declared window', () => {
    // 10 a second is 600 a minute, though 10 < 500.
    const error = refusal(() => resolveRateLimit(declared, { requests: 10, intervalMs: 1_000 }));
    expect(error.message).toContain('rateLimit.intervalMs 1000 (declared 60000) lets 600 requests into 60000 ms, above the declared 500');
  });

  it('allows a higher limit with allowAboveDeclared, and logs a warning', () => {
    const { logger, warnings } = recordingLogger();
    const effective = resolveRateLimit(declared, { requests: 1_000, concurrency: 20, allowAboveDeclared: true }, { logger });
    expect(effective).toEqual({ requests: 1_000, intervalMs: 60_000, concurrency: 20 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('rateLimit.requests 1000 is above the declared 500');
  });

  it('refuses values that are not positive whole numbers', () => {
    const error = refusal(() => resolveRateLimit(declared, { concurrency: 0 }));
    expect(error.code).toBe(ErrorCodes.CONNECTOR_CONFIG_INVALID);
    expect(error.message).toContain('rateLimit.concurrency');
  });
});
