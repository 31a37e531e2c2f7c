#!/usr/bin/env node
// `npm start`: demo shop → simulation → report → terminal UI (see cli/start.ts).
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

setFlagsFromString("--max-semi-space-size=64"); // as bin/playbook.js
register();
const { start } = await import("../cli/start.ts");
process.exitCode = await start(process.argv.slice(2));
