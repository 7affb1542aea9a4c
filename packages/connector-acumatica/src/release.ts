/**
 * Releasing a check (or a bill, the same way through `Bill/ReleaseBill`): `POST …/Check/ReleaseCheck` starts a long-running operation, answered `202` with a
 * `Location` to poll; the poll answers `202` while it runs and `204` when it is done. Acumatica's own client
 * treats any other answer as a failed operation.
 */
import { HttpTransportError, type HttpResponse } from '@ledgerlink/core';
import { entityUrl, resolveLocation, toWireJson } from './acumatica-wire.js';
import type { AcumaticaConfig } from './config.js';
import type { SessionSend } from './session.js';

export type ReleaseResult =
  | { kind: 'released' }
  /** Acumatica answered the release with a refusal: the check stays on balance. */
  | { kind: 'refused'; response: HttpResponse }
  /** No final answer (transport trouble, throttling, server fault, the wait ran out): released or not is unknown. */
  | { kind: 'unknown'; reason: string; response?: HttpResponse; transport?: HttpTransportError };

export interface CheckKey {
  id?: string;
  type: string;
  referenceNbr: string;
}

export async function releaseCheck(
  send: SessionSend,
  config: AcumaticaConfig,
  check: CheckKey,
  options: { signal: AbortSignal; sleep?: (ms: number, signal: AbortSignal) => Promise<void>; action?: 'Check/ReleaseCheck' | 'Bill/ReleaseBill' },
): Promise<ReleaseResult> {
  const sleep = options.sleep ?? delay;
  const entity: Record<string, unknown> = { Type: { value: check.type }, ReferenceNbr: { value: check.referenceNbr } };
  if (check.id !== undefined) entity.id = check.id;
  let response: HttpResponse;
  try {
    response = await send({ method: 'POST', url: entityUrl(config, options.action ?? 'Check/ReleaseCheck'), body: toWireJson({ entity }) });
  } catch (error) {
    if (error instanceof HttpTransportError) return { kind: 'unknown', reason: `release request got no answer: ${error.message}`, transport: error };
    throw error;
  }
  if (response.status === 204 || response.status === 200) return { kind: 'released' };
  if (response.status !== 202) return settle(response);

  const location = response.headers.location;
  if (location === undefined || location === '') {
    return { kind: 'unknown', reason: 'Acumatica accepted the release but gave no Location to follow', response };
  }
  const statusUrl = resolveLocation(config, location);
  const deadline = Date.now() + config.releaseTimeoutMs;
  for (;;) {
    try {
      response = await send({ method: 'GET', url: statusUrl });
    } catch (error) {
      if (error instanceof HttpTransportError) return { kind: 'unknown', reason: `release status got no answer: ${error.message}`, transport: error };
      throw error;
    }
    if (response.status === 204 || response.status === 200) return { kind: 'released' };
    if (response.status !== 202) return settle(response);
    if (Date.now() + config.releasePollIntervalMs > deadline || options.signal.aborted) {
      return { kind: 'unknown', reason: `the release was still running after ${config.releaseTimeoutMs} ms`, response };
    }
    await sleep(config.releasePollIntervalMs, options.signal);
  }
}

function settle(response: HttpResponse): ReleaseResult {
  // Acumatica states a refused release as its own exception (a PX.* type, e.g. a closed financial period).
  // Anything else (throttling, a bare server fault, a lost operation: 404 "Process Not Found") leaves the
  // outcome open.
  if (response.status >= 400 && response.status < 500 && response.status !== 404 && response.status !== 429) {
    return { kind: 'refused', response };
  }
  if (response.status >= 500 && isAcumaticaException(response.body)) return { kind: 'refused', response };
  return { kind: 'unknown', reason: `release answered HTTP ${response.status}`, response };
}

function isAcumaticaException(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { exceptionType?: unknown };
    return typeof parsed.exceptionType === 'string' && parsed.exceptionType.startsWith('PX.');
  } catch {
    return false;
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
