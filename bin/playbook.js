#!/usr/bin/env node
// The `playbook` command: the bundle `npm ci` builds (dist/cli/main.js) when it
// is there and up to date, else the TypeScript sources through tsx — see
// bin/launch.js for when each runs.
import { loadEntry } from "./launch.js";

const { main } = await loadEntry("main");
process.exitCode = await main(process.argv.slice(2));
