#!/usr/bin/env node
import { applyHeapFlags } from './cli/heap-flags.js';

// Before anything else is loaded: V8 flags for the command (`import`: see heap-flags.ts), then the CLI.
applyHeapFlags(process.argv.slice(2));
await import('reflect-metadata');
const { processIo } = await import('./cli/io.js');
const { main } = await import('./cli/main.js');

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
