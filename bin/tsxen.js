#!/usr/bin/env node
// The tsxen command. Compiled sources live in dist/ (built by `npm install` / `npm run build`).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
