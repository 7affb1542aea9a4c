import 'reflect-metadata';
import { resolve } from 'node:path';
import { runDemo } from './run-demo.js';

/**
 * `npm start`: the demo. DEMO_DURATION_SECONDS stops it after a while (otherwise Ctrl-C); PORT moves the runner's
 * HTTP server off 8080; DEMO_CONFIG runs another config (a copy of examples/demo.yaml with your `plugins:` and a
 * tenant of your connector, whose sandbox the demo then starts too).
 */
const repo = resolve(import.meta.dirname, '../../../..');
const seconds = Number(process.env.DEMO_DURATION_SECONDS ?? '');
try {
  await runDemo({
    configFile: resolve(process.env.DEMO_CONFIG ?? resolve(repo, 'examples/demo.yaml')),
    port: process.env.PORT === undefined ? 8080 : Number(process.env.PORT),
    ...(Number.isFinite(seconds) && seconds > 0 ? { durationMs: seconds * 1000 } : {}),
  });
  process.exitCode = 0;
} catch (error) {
  const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  process.stderr.write(
    taken
      ? `the demo could not start: port ${process.env.PORT ?? 8080} is taken; run it on another one, e.g. PORT=8081 npm start\n`
      : `the demo stopped: ${(error as Error).message}\n`,
  );
  process.exitCode = 1;
}
