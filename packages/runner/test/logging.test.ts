import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logging/create-logger.js';

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, text: () => chunks.join('') };
}

describe('logger', () => {
  it('writes JSON lines when not on a TTY', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, pretty: 'auto' });
    logger.info({ tenant: 'acme' }, 'hello');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'hello', tenant: 'acme', service: 'ledgerlink', level: 30 });
  });

  it('scrubs every configured secret value wherever it appears, and secret keys by name', () => {
    const out = capture();
    const secrets = ['hunter2-very-secret', 'tok"en-with-quote'];
    const logger = createLogger({ destination: out.stream, secrets });
    logger.error({ erp: { message: 'login failed for password hunter2-very-secret' } }, 'ERP said no');
    logger.warn({ connection: { clientSecret: 'not-in-list-but-by-key', realmId: '42' } }, 'config');
    logger.info(`token is tok"en-with-quote`);
    logger.child({ tenant: 't1' }).info({ password: 'plain-password-key' }, 'child');
    const text = out.text();
    for (const secret of [...secrets, 'not-in-list-but-by-key', 'plain-password-key']) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('"realmId":"42"');
  });
});
