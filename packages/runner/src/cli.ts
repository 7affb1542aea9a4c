#!/usr/bin/env node
import 'reflect-metadata';
import { processIo } from './cli/io.js';
import { main } from './cli/main.js';

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
