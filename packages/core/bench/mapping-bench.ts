/**
 * Mapping benchmark: one realistic payment export mapping (an Intacct-style APPYMT: 13 fields including a
 * line group, money and date formats, a map and a lookup) run three ways over the same records:
 *   compiled    - the mapping language: payment-export.mapping.yaml through compileMapping
 *   hand-written - the same transform written in TypeScript (hand-written.ts)
 *   JSONata     - the same transform as a JSONata expression (jsonata-export.ts), evaluated per record
 * All three must produce identical output on a sample before anything is timed.
 *
 * Run: npm run bench (in packages/core).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import jsonata from 'jsonata';
import { compileMapping, loadMappingFile } from '../src/mapping/index.js';
import type { CompiledMapping, MappingResult } from '../src/mapping/types.js';
import { Payment } from '../src/model/payment.js';
import { validateRecord } from '../src/model/validate.js';
import { handWrittenExport } from './hand-written.js';
import { JSONATA_EXPORT } from './jsonata-export.js';
import { BANK_ACCOUNTS, samplePayments } from './sample-payments.js';

const RECORDS = 1_000_000;
const JSONATA_RECORDS = 20_000;
const VALIDATED_RECORDS = 200_000;
const RUNS = 3;
const SAMPLE = 1024;

const JSONATA_VERSION = (createRequire(import.meta.url)('jsonata/package.json') as { version: string }).version;
const lookups = { bankAccounts: BANK_ACCOUNTS };
const context = { lookups };
const payments = samplePayments(SAMPLE);
const mappingPath = fileURLToPath(new URL('./payment-export.mapping.yaml', import.meta.url));
const document = loadMappingFile(mappingPath);
const compiled: CompiledMapping = compileMapping(document, 'payment', 'export', { validate: false });
const compiledValidated: CompiledMapping = compileMapping(document, 'payment', 'export');
const expression = jsonata(JSONATA_EXPORT);

let sink = 0;
function consume(result: MappingResult): void {
  if (!result.ok) throw new Error(`benchmark record refused: ${JSON.stringify(result.errors)}`);
  sink += (result.value.PAYMENTDATE as string).length;
}

// One loop per candidate, so that no call site is shared (a shared one would go polymorphic and slow all).
function runCompiled(count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) consume(compiled(payments[i & (SAMPLE - 1)], context));
  return performance.now() - start;
}
function runHandWritten(count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) consume(handWrittenExport(payments[i & (SAMPLE - 1)]!, lookups));
  return performance.now() - start;
}
function runCompiledValidated(count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) consume(compiledValidated(payments[i & (SAMPLE - 1)], context));
  return performance.now() - start;
}
function runHandWrittenValidated(count: number): number {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const checked = validateRecord(Payment, payments[i & (SAMPLE - 1)]);
    if (!checked.ok) throw new Error('invalid sample');
    consume(handWrittenExport(checked.value, lookups));
  }
  return performance.now() - start;
}
async function runJsonata(count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const value = (await expression.evaluate(payments[i & (SAMPLE - 1)], lookups)) as Record<string, unknown>;
    sink += (value.PAYMENTDATE as string).length;
  }
  return performance.now() - start;
}

async function verifyIdentical(): Promise<void> {
  for (const payment of payments) {
    const fromCompiled = compiled(payment, context);
    const fromValidated = compiledValidated(payment, context);
    const fromHand = handWrittenExport(payment, lookups);
    const fromJsonata = await expression.evaluate(payment, lookups);
    if (!fromCompiled.ok || !fromHand.ok || !fromValidated.ok) throw new Error(`sample payment ${payment.id} was refused`);
    const expected = JSON.stringify(fromCompiled.value);
    for (const [name, other] of [
      ['compiled (validate: true)', fromValidated.value],
      ['hand-written', fromHand.value],
      ['JSONata', fromJsonata],
    ] as const) {
      if (JSON.stringify(other) !== expected) {
        throw new Error(`outputs differ for ${payment.id}:\n  compiled: ${expected}\n  ${name}: ${JSON.stringify(other)}`);
      }
    }
  }
}

async function best(run: (count: number) => number | Promise<number>, count: number): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < RUNS; i++) fastest = Math.min(fastest, await run(count));
  return count / (fastest / 1000);
}

const rate = (perSecond: number): string => `${Math.round(perSecond).toLocaleString('en-US').padStart(12)} records/s`;

async function main(): Promise<void> {
  await verifyIdentical();
  // Warm-up: let every candidate reach optimized code before timing.
  runCompiled(300_000);
  runHandWritten(300_000);
  runCompiledValidated(30_000);
  runHandWrittenValidated(30_000);
  await runJsonata(3_000);

  const compiledRate = await best(runCompiled, RECORDS);
  const handRate = await best(runHandWritten, RECORDS);
  const jsonataRate = await best(runJsonata, JSONATA_RECORDS);
  const handValidatedRate = await best(runHandWrittenValidated, VALIDATED_RECORDS);
  const compiledValidatedRate = await best(runCompiledValidated, VALIDATED_RECORDS);

  const vsHand = compiledRate / handRate;
  const vsJsonata = compiledRate / jsonataRate;
  const lines = [
    'ledgerlink mapping benchmark: payment export, Intacct-style (13 fields incl. a line group, money and date formats, a map, a lookup)',
    `node ${process.version}; best of ${RUNS} runs after warm-up; outputs identical on a ${SAMPLE}-record sample`,
    '',
    'transform only (records already valid):',
    `  compiled mapping         ${rate(compiledRate)}   (${RECORDS.toLocaleString('en-US')} records per run)`,
    `  hand-written TypeScript  ${rate(handRate)}   (${RECORDS.toLocaleString('en-US')} records per run)`,
    `  JSONata ${JSONATA_VERSION} (evaluate) ${rate(jsonataRate)}   (${JSONATA_RECORDS.toLocaleString('en-US')} records per run, records/s extrapolated)`,
    `  compiled / hand-written  ${vsHand.toFixed(2)}x  (goal >= 0.8: ${vsHand >= 0.8 ? 'met' : 'NOT met'})`,
    `  compiled / JSONata       ${vsJsonata.toFixed(0)}x  (goal >= 50: ${vsJsonata >= 50 ? 'met' : 'NOT met'})`,
    '',
    'with the canonical Payment check (zod) before each record, as compileMapping does by default:',
    `  compiled (validate: true)         ${rate(compiledValidatedRate)}   (${VALIDATED_RECORDS.toLocaleString('en-US')} records per run)`,
    `  hand-written + validateRecord     ${rate(handValidatedRate)}   (${VALIDATED_RECORDS.toLocaleString('en-US')} records per run)`,
    `  (the schema check dominates: ${(compiledRate / compiledValidatedRate).toFixed(1)}x the cost of the mapping itself)`,
  ];
  console.log(lines.join('\n'));
  if (sink === 0) console.log('(nothing consumed)');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
