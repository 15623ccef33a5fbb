#!/usr/bin/env node
// The `gatehouse` command: a thin launcher for the compiled CLI (built by `npm install` via `prepare`).
import { runCli } from '../dist/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
