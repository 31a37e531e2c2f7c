/**
 * `playbook check [DIR…] [--format text|json|sarif|github]`: parse, resolve, type-check and
 * lint each workspace folder. Exit 0 without errors (warnings allowed), 1 with
 * errors, 2 on usage or I/O trouble (contract.md). The report goes to stdout in
 * both formats (it is the command's output, so `check | less` and `check
 * --format json | jq` work); trouble with flags or folders goes to stderr.
 * Nothing the user writes may produce a stack trace: an exception escaping the
 * checker is a bug, reported in one line with exit 2.
 */
import { parseArgs } from "node:util";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { loadWorkspace } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { loadTestFiles } from "../../language/test-files.ts";
import { compareDiagnostics, type Diagnostic } from "../../language/diagnostics.ts";
import { renderDiagnostics, renderDiagnosticsJson, summaryLine } from "../../language/render.ts";
import { renderDiagnosticsGithub, renderDiagnosticsSarif } from "../../language/render-ci.ts";
import type { SourceFile } from "../../language/ast.ts";

/** One line for `playbook --help`. */
export const summary = "parse, type-check and lint workspaces";

/** `playbook check --help`. */
export const usage = `Usage: playbook check [DIR…] [--format text|json|sarif|github]

Reads every *.yaml/*.yml file of each workspace folder (default: the current
folder), resolves names, checks types and runs the lints; then checks the
folder's test files (*.test.yaml) against it. Codes are listed in
docs/diagnostics.md.

Paths in the report are the folder as you typed it plus the file inside it.
A folder that does not exist or holds no YAML file is error PB000.

Exit status: 0 no errors (warnings allowed), 1 errors, 2 usage or I/O trouble.

Options:
  --format F   text (default), json, sarif (SARIF 2.1.0, for code scanning)
               or github (workflow commands: annotations in a pull request)
  --help       this text
`;

const FORMATS = ["text", "json", "sarif", "github"];

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { format: { type: "string", default: "text" }, help: { type: "boolean" } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage);
    return EXIT.ok;
  }
  if (!FORMATS.includes(values.format!)) throw new UsageError(`--format must be text, json, sarif or github, not "${values.format}"`);
  const dirs = positionals.length ? positionals : ["."];
  for (const d of dirs) {
    // A missing folder is a PB000 error from the loader (exit 1, with a did-you-mean), like an empty one.
    const info = await stat(resolve(io.cwd, d)).catch(() => null);
    if (info && !info.isDirectory()) {
      io.stderr(`playbook check: not a folder: ${d} (give the workspace folder that holds the YAML files)\n`);
      return EXIT.usage;
    }
  }
  const diags: Diagnostic[] = [];
  const files: SourceFile[] = [];
  for (const d of dirs) {
    const dir = resolve(io.cwd, d);
    try {
      // Paths are shown as typed (`../x/playbooks/…`, `/abs/…`), not re-relativised to the current folder.
      const { workspace, diagnostics } = await loadWorkspace(dir, { shownAs: d });
      files.push(...workspace.files);
      diags.push(...diagnostics);
      // Semantic checks on a workspace whose reading failed would mostly echo the syntax errors.
      if (!diagnostics.some((x) => x.severity === "error")) {
        const semantic = checkWorkspace(workspace);
        diags.push(...semantic);
        // Test files (*.test.yaml) are checked against a workspace that is itself free of errors.
        if (!semantic.some((x) => x.severity === "error")) {
          const t = await loadTestFiles(dir, workspace, d);
          for (const tf of t.files) files.push({ path: tf.path, text: tf.text });
          diags.push(...t.diagnostics);
        }
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err?.code && typeof err.code === "string" && /^E[A-Z]+$/.test(err.code)) {
        io.stderr(`playbook check: cannot read ${d}: ${err.message}\n`);
      } else {
        io.stderr(`playbook check: internal error while checking ${d}: ${err?.message ?? String(e)} (this is a bug; please report it with the workspace)\n`);
      }
      return EXIT.usage;
    }
  }
  diags.sort(compareDiagnostics);
  if (values.format === "json") io.stdout(renderDiagnosticsJson(diags));
  else if (values.format === "sarif") io.stdout(renderDiagnosticsSarif(diags));
  else if (values.format === "github") io.stdout(renderDiagnosticsGithub(diags) + summaryLine(diags) + "\n");
  else {
    const color = io.isTTY && !io.env.NO_COLOR;
    const text = renderDiagnostics(diags, files, { color });
    io.stdout(text + summaryLine(diags) + "\n");
  }
  return diags.some((x) => x.severity === "error") ? EXIT.failed : EXIT.ok;
}
