#!/usr/bin/env -S node --
// The `gatehouse` command: a thin launcher for the compiled CLI (built by `npm install` via `prepare`).
// `--` after `node`: Node 20 reads `--env-file` anywhere on its command line, even after the
// script, and exits 9 ("node: FILE: not found") before Gatehouse runs; `--` ends its options,
// so `gatehouse … --env-file FILE` is always Gatehouse's own flag (README "The command line").
import { runCli } from '../dist/cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
