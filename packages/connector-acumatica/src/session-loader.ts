import type { LoadContext, LoadItem, Loader, Outcome } from '@ledgerlink/core';
import { SignInError, type AcumaticaSession, type SessionSend } from './session.js';

/** How one record is written and looked up inside a signed-in session. */
export interface SessionWrites<TRecord> {
  write(send: SessionSend, item: LoadItem<Record<string, unknown>, TRecord>, signal: AbortSignal): Promise<Outcome>;
  find(send: SessionSend, item: LoadItem<Record<string, unknown>, TRecord>, signal: AbortSignal): Promise<Outcome | null>;
}

/**
 * A loader whose calls run inside the tenant's Acumatica session, one record after another (a licence counts
 * sessions, not calls). A sign-in Acumatica refused becomes every record's outcome instead of an exception.
 */
export function sessionLoader<TRecord>(session: AcumaticaSession, writes: SessionWrites<TRecord>): Loader<Record<string, unknown>, TRecord> {
  return {
    async load(batch, { signal }: LoadContext): Promise<Outcome[]> {
      try {
        return await session.run(async (send) => {
          const outcomes: Outcome[] = [];
          for (const item of batch) outcomes.push(await writes.write(send, item, signal));
          return outcomes;
        });
      } catch (error) {
        if (error instanceof SignInError) return batch.map(() => error.outcome);
        throw error;
      }
    },
    async find(item, { signal }: LoadContext): Promise<Outcome | null> {
      try {
        return await session.run((send) => writes.find(send, item, signal));
      } catch (error) {
        if (error instanceof SignInError) return error.outcome;
        throw error;
      }
    },
  };
}
