#!/usr/bin/env node
// The `playbook` command. The sources are TypeScript run through tsx's loader,
// so a fresh clone works after `npm ci` with no build step.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// A larger young generation: a run allocates millions of short-lived objects
// (events, decisions), and with V8's default 16 MB semi-space the scavenger
// ran for a quarter of a 90-day simulation. Measured in bench/engine.bench.ts
// (which runs with the same setting).
setFlagsFromString("--max-semi-space-size=64");
register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
