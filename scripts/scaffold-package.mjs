#!/usr/bin/env node
// Writes the per-package build/test files every package shares (tsconfig, vitest config, nx scripts).
// Usage: node scripts/scaffold-package.mjs packages/<dir>   (keeps files that already exist)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: scaffold-package.mjs packages/<dir>');
const write = (file, text) => {
  const path = join(dir, file);
  if (!existsSync(path)) writeFileSync(path, text);
};
write('tsconfig.json', JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true }, include: ['src', 'test', '*.ts'] }, null, 2) + '\n');
write(
  'tsconfig.build.json',
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { outDir: 'dist', rootDir: 'src', customConditions: [], noEmit: false },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    },
    null,
    2,
  ) + '\n',
);
write('vitest.config.ts', "import { packageTestConfig } from '../../vitest.shared.js';\n\nexport default packageTestConfig();\n");
const manifestPath = join(dir, 'package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
manifest.scripts = {
  build: 'tsc -p tsconfig.build.json',
  typecheck: 'tsc -p tsconfig.json',
  lint: 'eslint src test --no-warn-ignored',
  test: 'vitest run',
  ...manifest.scripts,
};
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
