import { Writable } from 'node:stream';
import type { Logger } from '@ledgerlink/core';
import { pino, type DestinationStream, type Level } from 'pino';
import pretty from 'pino-pretty';

export interface LoggerOptions {
  level?: Level;
  /** Pretty output for people: `auto` = when stdout is a TTY. */
  pretty?: 'auto' | 'always' | 'never';
  /** Every secret value from the config: scrubbed from each line, wherever it appears. */
  secrets?: readonly string[];
  /** Where lines go (default stdout). */
  destination?: NodeJS.WritableStream;
}

const REDACTED = '[REDACTED]';

/**
 * pino, JSON in production and pretty on a TTY, with secrets redacted twice: by key (`password`,
 * `clientSecret`, `authorization`...) and by value (any configured secret, wherever it shows up in a line,
 * even inside an ERP's error text).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const usePretty = options.pretty === 'always' || (options.pretty !== 'never' && Boolean((destination as { isTTY?: boolean }).isTTY));
  const scrubbed = scrubbingStream(usePretty ? pretty({ destination, colorize: true, sync: true }) : destination, options.secrets ?? []);
  return pino(
    {
      level: options.level ?? 'info',
      redact: {
        paths: [
          '*.password',
          '*.clientSecret',
          '*.refreshToken',
          '*.accessToken',
          '*.applicationKey',
          '*.agentToken',
          '*.authorization',
          '*.headers.authorization',
          '*.headers.cookie',
          'password',
          'clientSecret',
          'token',
        ],
        censor: REDACTED,
      },
      base: { service: 'ledgerlink' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    scrubbed,
  ) as unknown as Logger;
}

function scrubbingStream(target: NodeJS.WritableStream | DestinationStream, secrets: readonly string[]): DestinationStream {
  // Longest first, so a secret that contains another is replaced whole. Also their JSON-escaped forms.
  const needles = [...new Set(secrets.filter((secret) => secret.length >= 4).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort(
    (a, b) => b.length - a.length,
  );
  if (needles.length === 0) return target as DestinationStream;
  const pattern = new RegExp(needles.map(escapeRegExp).join('|'), 'g');
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const line = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      (target as NodeJS.WritableStream).write(line.replace(pattern, REDACTED));
      callback();
    },
  }) as unknown as DestinationStream;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
