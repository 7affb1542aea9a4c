#!/usr/bin/env node
// `npm start`: the demo (packages/runner/src/demo). It runs from the TypeScript sources through tsx, so there is
// nothing to build first. DEMO_DURATION_SECONDS=N stops it after N seconds; PORT moves the runner off 8080.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--conditions=source', join(root, 'packages/runner/src/demo/main.ts'), ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'packages/runner/tsconfig.json') } },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
