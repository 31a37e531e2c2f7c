/**
 * docs/cli.md is generated from each command's own `usage`, so the reference
 * and `--help` cannot drift apart. `npx tsx cli/help-doc.ts` rewrites it; a test
 * fails while it is stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "./main.ts";

/** The text of docs/cli.md. */
export async function cliReference(): Promise<string> {
  const parts = [
    "# The `playbook` command line",
    "",
    "Generated from each command's `--help` by `npx tsx cli/help-doc.ts`; do not edit by hand.",
    "",
    "Every command takes `--help`. Errors go to stderr. Exit codes: 0 fine, 1 the input has errors",
    "(or `--check` found changes), 2 usage or I/O trouble, 70 an internal error (a bug: please report it).",
    "Diagnostics look like `path:line:col: error|warning CODE: message`, then the source line, a caret",
    "under the span and a hint; every code is in [diagnostics.md](diagnostics.md).",
    "Every command that reads data ends with a line on stderr saying how many rows of each input it",
    "read, used and rejected (`rows: customers 5 read, 5 used, 0 rejected; events 8 read, …`); bad rows",
    "stop it, listed as `file:line: reason`, unless `--rejects FILE` is given (contract.md). A bad row is",
    "one row, never the whole file: a CSV row with too few or too many fields or bytes that are not UTF-8,",
    "a JSONL line that is not JSON, a time or date outside the years 1900–2200, a number that is not",
    "finite (`1e400`, `NaN`), a text cell with a NUL byte (refused, not stripped). Events of a customer",
    "whose own row was rejected are listed after the root causes as `customer \"c\" rejected at customers.csv:4`.",
    "",
    "What else the command line does the same way everywhere (cli/README.md has the why):",
    "",
    "- A mistyped command or flag is named in one line with the closest real one, the command's",
    "  synopsis under it: `unknown command \"chek\"; did you mean \"check\"?`, `unknown option --frmat;",
    "  did you mean --format?`, `--at needs a value`, `--check takes no value` (exit 2).",
    "- `run`, `simulate` and `segments` print the workspace's lint warnings as one line,",
    "  `4 warnings: playbook check playbooks/shop for details`, with the summaries of a run that worked;",
    "  a fatal error (bad rows, unreadable data) comes last and alone, without them.",
    "- `demo`, `simulate` and `run` draw a progress bar on stderr (stage, counts, percent, ETA) when",
    "  stderr is a terminal, erased when the work ends; nothing at all otherwise.",
    "- When the reader of the output goes away (`playbook run … | head`), the command ends quietly",
    "  (no error, no stack trace) with exit 141 (128 + SIGPIPE, what a shell reports for a Unix tool",
    "  the signal ended); `run --state` commits the state only once the log is all read, so then not.",
    "- `playbook` runs the bundle `npm ci` builds (dist/cli/, `npm run build` rebuilds it) when it is",
    "  there and newer than every source, and the TypeScript sources through tsx otherwise (about",
    "  1 s slower to start); `PLAYBOOK_BUNDLE=0` forces the sources, `PLAYBOOK_DEBUG=1` says which runs.",
    "",
    "| command | does |",
    "| --- | --- |",
  ];
  const mods: [string, { summary: string; usage: string }][] = [];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const mod = await load().catch(() => null);
    if (mod) mods.push([name, mod]);
  }
  for (const [name, mod] of mods) parts.push(`| [\`${name}\`](#playbook-${name}) | ${mod.summary.replace(/\|/g, "\\|")} |`);
  for (const [name, mod] of mods) parts.push("", `## playbook ${name}`, "", "```", mod.usage.trimEnd(), "```");
  return parts.join("\n") + "\n";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL("../docs/cli.md", import.meta.url));
  writeFileSync(out, await cliReference());
  console.log(`wrote ${out}`);
}
