import { RateLimit } from '../connector/capabilities.js';
import { ErrorCodes, LedgerlinkError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { withoutUndefined } from './record-errors.js';
import type { RateLimitOverride } from './types.js';

export interface ResolveRateLimitContext {
  /** Names the lane in messages: `tenant acme, connector qbo`. */
  label?: string;
  /** Receives the warning when a limit above the declared one is allowed. */
  logger?: Logger;
}

/**
 * The lane's effective rate limit: the connector's declared limit, lowered where the customer's override
 * lowers it. Going above the declared limit is refused, naming each field and the declared value, unless the
 * override says `allowAboveDeclared: true` (an ERP account with a higher tier, say): then it is allowed and
 * logged as a warning.
 *
 * `requests` per `intervalMs` is compared as a rate over the declared window, not field by field: 10 per
 * second is above 500 per minute even though 10 < 500, because a minute of it is 600 calls.
 */
export function resolveRateLimit(
  declared: RateLimit,
  override: RateLimitOverride | undefined,
  context: ResolveRateLimitContext = {},
): RateLimit {
  const where = context.label === undefined ? '' : ` for ${context.label}`;
  if (override === undefined) return declared;
  const { allowAboveDeclared = false, ...values } = override;
  const merged = RateLimit.safeParse({ ...declared, ...withoutUndefined(values) });
  if (!merged.success) {
    const problems = merged.error.issues.map((issue) => `rateLimit.${issue.path.join('.')}: ${issue.message}`);
    throw new LedgerlinkError(
      ErrorCodes.CONNECTOR_CONFIG_INVALID,
      `the rate limit override${where} is invalid: ${problems.join('; ')}. Use positive whole numbers.`,
      { details: { problems } },
    );
  }
  const effective = merged.data;
  const problems = aboveDeclared(declared, effective);
  if (problems.length === 0) return effective;
  if (!allowAboveDeclared) {
    throw new LedgerlinkError(
      ErrorCodes.CONNECTOR_CONFIG_INVALID,
      `the rate limit override${where} is above what the connector declares: ${problems.join('; ')}. ` +
        'Lower it to the declared limit or below, or set rateLimit.allowAboveDeclared: true if your ERP account ' +
        'really allows more.',
      { details: { problems, declared, requested: effective } },
    );
  }
  (context.logger ?? silentLogger).warn(
    { declared, effective, problems },
    `rate limit${where} is above the connector's declared limit (allowAboveDeclared is set): ${problems.join('; ')}`,
  );
  return effective;
}

function aboveDeclared(declared: RateLimit, effective: RateLimit): string[] {
  const problems: string[] = [];
  if (effective.concurrency > declared.concurrency) {
    problems.push(`rateLimit.concurrency ${effective.concurrency} is above the declared ${declared.concurrency}`);
  }
  if (effective.requests > declared.requests) {
    problems.push(`rateLimit.requests ${effective.requests} is above the declared ${declared.requests}`);
  }
  // The most calls the override lets through in one declared window (a sliding window of the override's
  // length fits ceil(declared / own) times into it).
  const windows = Math.max(1, Math.ceil(declared.intervalMs / effective.intervalMs));
  const perDeclaredWindow = effective.requests * windows;
  if (effective.intervalMs < declared.intervalMs && perDeclaredWindow > declared.requests) {
    problems.push(
      `rateLimit.intervalMs ${effective.intervalMs} (declared ${declared.intervalMs}) lets ${perDeclaredWindow} ` +
        `requests into ${declared.intervalMs} ms, above the declared ${declared.requests}`,
    );
  }
  return problems;
}
