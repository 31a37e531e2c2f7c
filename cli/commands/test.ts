/**
 * `playbook test DIR [--filter TEXT] [--format text|json|junit] [--coverage] [--update]`:
 * runs the cases of the workspace's test files (`*.test.yaml`, docs/language.md "Test files")
 * through the engine `simulate` uses (cli/testing/cases.ts) and compares the decision lines.
 * Exit 0 all passed, 1 a case failed, 2 usage trouble or a mistake in a playbook or test file.
 */
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { InputError, loadProgram } from "../../engine/runtime/inputs.ts";
import { collectTestFiles, loadTestFiles, type TestCase } from "../../language/test-files.ts";
import { renderDiagnostics } from "../../language/render.ts";
import { compareDiagnostics } from "../../language/diagnostics.ts";
import { runCase, type CaseResult } from "../testing/cases.ts";
import { coverageCollector, coverageJson, coverageTable } from "../testing/coverage.ts";
import { jsonReport, junitReport, textReport } from "../testing/output.ts";
import { updateText } from "../testing/update.ts";

/** One line for `playbook --help`. */
export const summary = "run the workspace's test cases (*.test.yaml): pass/fail, coverage, JUnit";

/** `playbook test --help`. */
export const usage = `Usage: playbook test DIR [--filter TEXT] [--format text|json|junit] [--coverage] [--update]

Runs every case of the test files (*.test.yaml) in the workspace folder DIR
(and the folders below it: each workspace its own) through the engine of
\`simulate\`, and compares the decision lines with the case's expect,
expect_none and segments. A failing case shows the expected and the actual
lines side by side, with the case's file:line. The format of test files is in
docs/language.md, "Test files".

Exit status: 0 every case passed, 1 a case failed, 2 usage trouble or a
mistake in a playbook or a test file (reported as \`check\` does).

Options:
  --filter TEXT   only the cases whose name or file contains TEXT
  --format F      text (default), json, or junit (JUnit XML for CI)
  --coverage      per rule, the branches the cases reached, unreached first
  --update        write the actual decisions into the failing cases' expect:
`;

/** The workspace folders under DIR that hold test files: DIR itself, or its sub-folders with them. */
async function workspacesWithTests(root: string): Promise<string[]> {
  // A test file belongs to the workspace folder it sits in.
  const files = await collectTestFiles(root);
  return [...new Set(files.map((f) => dirname(f)))].sort();
}

/** `work` over `items`, at most `n` at once (`w` says which of the n); results in the order of `items`. */
async function inPool<T, R>(items: T[], n: number, work: (x: T, w: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (w: number) => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, w);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, (_, w) => worker(w)));
  return out;
}

/** Cases running at once: a few overlap DuckDB's reading with the JS loop. */
const AT_ONCE = 6;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { filter: { type: "string" }, format: { type: "string", default: "text" }, coverage: { type: "boolean" }, update: { type: "boolean" } } });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (!["text", "json", "junit"].includes(values.format!)) throw new UsageError(`--format must be text, json or junit, not "${values.format}"`);
  if (positionals.length > 1) throw new UsageError(`give one folder, not ${positionals.length}`);
  const shown = positionals[0] ?? ".";
  const root = resolve(io.cwd, shown);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`not a folder: ${shown}`);
  const dirs = await workspacesWithTests(root);
  if (!dirs.length) {
    io.stderr(`playbook test: no test files (*.test.yaml) in ${shown}\n`);
    return EXIT.usage;
  }
  // One DuckDB instance per case running at once, reused by the cases that follow (openReader).
  const dbs: DuckDBInstance[] = [];
  try {
    return await runAll(io, values, shown, root, dirs, dbs);
  } finally {
    for (const db of dbs) db.closeSync();
  }
}

/** The cases of every workspace folder in `dirs`, reported; the exit status. */
async function runAll(io: CliIO, values: { filter?: string; format?: string; coverage?: boolean; update?: boolean }, shown: string, root: string, dirs: string[], dbs: DuckDBInstance[]): Promise<number> {
  const results: CaseResult[] = [];
  const coverages: ReturnType<ReturnType<typeof coverageCollector>["result"]> = [];
  let updated = 0;
  for (const dir of dirs) {
    const as = join(shown, dir.slice(root.length + 1)) || shown;
    let program;
    try {
      program = (await loadProgram(dir, as)).program;
    } catch (e) {
      if (e instanceof InputError) return (io.stderr(e.message), EXIT.usage);
      throw e;
    }
    const { files, diagnostics } = await loadTestFiles(dir, program.ws, as);
    const errors = diagnostics.filter((d) => d.severity === "error").sort(compareDiagnostics);
    if (errors.length) {
      io.stderr(renderDiagnostics(errors, files.map((f) => ({ path: f.path, text: f.text })), { color: false }));
      return EXIT.usage;
    }
    const cov = values.coverage ? coverageCollector(program.ws) : null;
    const wanted = (c: TestCase) => !values.filter || c.name.includes(values.filter) || c.file.includes(values.filter);
    for (const f of files) {
      const failing: { case: TestCase; decisions: CaseResult["decisions"] }[] = [];
      // Cases are independent: a few at a time overlap DuckDB's reading with the JS loop; the
      // report keeps the file's order (coverage counts add up in any order).
      for (const r of await inPool(f.cases.filter(wanted), AT_ONCE, async (c, w) => runCase(program, c, cov?.trace, (dbs[w] ??= await DuckDBInstance.create(":memory:"))))) {
        cov?.decisions(r.decisions);
        results.push(r);
        if (!r.passed && !r.error) failing.push({ case: r.case, decisions: r.decisions });
      }
      if (values.update && failing.length) {
        const path = resolve(dir, f.path.slice(as.length + 1));
        await writeFile(path, updateText(await readFile(path, "utf8"), failing));
        updated += failing.filter((x) => x.case.expectAt).length;
      }
    }
    if (cov) coverages.push(...cov.result());
  }
  if (values.format === "json") io.stdout(jsonReport(results, values.coverage ? coverageJson(coverages) : undefined));
  else if (values.format === "junit") io.stdout(junitReport(results));
  else io.stdout(textReport(results) + (values.coverage ? "\n" + coverageTable(coverages) : ""));
  if (values.update && updated) io.stderr(`playbook test: updated expect: of ${updated} case${updated === 1 ? "" : "s"}; review the diff\n`);
  return results.every((r) => r.passed) ? EXIT.ok : EXIT.failed;
}
