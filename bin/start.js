#!/usr/bin/env node
// `npm start`: demo shop → simulation → report → terminal UI (see cli/start.ts).
import { register } from "tsx/esm/api";

register();
const { start } = await import("../cli/start.ts");
process.exitCode = await start(process.argv.slice(2));
