#!/usr/bin/env node
// `npm start`: demo shop → simulation → report → terminal UI (see cli/start.ts).
// Runs the bundle when it is there and up to date, else the sources through
// tsx (bin/launch.js).
import { loadEntry } from "./launch.js";

const { start } = await loadEntry("start");
process.exitCode = await start(process.argv.slice(2));
