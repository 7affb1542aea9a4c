#!/usr/bin/env node
// First, statically: tsyringe refuses to load without it, and a bundle (the replica tests' esbuild one) hoists every
// npm import of the modules below to its top, ahead of any dynamic import here.
import 'reflect-metadata';
import { applyHeapFlags } from './cli/heap-flags.js';

// Before anything else is loaded: V8 flags for the command (`import`: see heap-flags.ts), then the CLI.
applyHeapFlags(process.argv.slice(2));
const { processIo } = await import('./cli/io.js');
const { main } = await import('./cli/main.js');

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
