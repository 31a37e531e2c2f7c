/**
 * The three forms of `playbook test`'s report: text (pass/fail per case, and for a failing
 * case the expected and actual lines side by side, each expectation with its file:line),
 * JSON, and JUnit XML (one testsuite per test file, one testcase per case).
 */
import type { Decision } from "../../engine/decision.ts";
import type { Pattern } from "../../language/test-files.ts";
import { matches, type CaseResult, type Row } from "./cases.ts";

/** A decision line in one short line: `c1 cart_recovery#1 send push at 2026-03-03T06:00:00Z (reason) [holdout]`. */
export function lineText(d: Decision): string {
  return [d.customer_id, `${d.rule}#${d.step}`, d.status, d.channel ?? "-", d.send_at ? `at ${d.send_at}` : "", d.reason ? `(${d.reason})` : "", d.variant === "holdout" ? "[holdout]" : "", d.arm ? `[arm ${d.arm}]` : ""].filter(Boolean).join(" ");
}

/** An expectation as its fields: `rule=cart_recovery step=1 status=send`. */
export function patternText(p: Pattern): string {
  const { customer, ...rest } = p.fields;
  return Object.entries(customer === undefined ? rest : { customer, ...rest }).map(([k, v]) => `${k}=${v === null ? "null" : v}`).join(" ");
}

const mark = (r: Row, ok: boolean) => (r.forbidden || !ok ? "✗ " : "  ");

/** The side-by-side table of a failing case. */
export function sideBySide(r: CaseResult): string[] {
  const left = r.rows.map((row) => (row.expected ? `${row.forbidden ? "none: " : ""}${patternText(row.expected)} (:${row.expected.span.line})` : "(not expected)"));
  const right = r.rows.map((row) => (row.actual ? lineText(row.actual) : "(no such line)"));
  const w = Math.max(8, ...left.map((s) => s.length));
  const out = [`    ${"  "}${"expected".padEnd(w)} │ actual`];
  r.rows.forEach((row, i) => out.push(`    ${mark(row, !!row.expected && !!row.actual && matches(row.expected, row.actual))}${left[i]!.padEnd(w)} │ ${right[i]}`));
  for (const s of r.segmentFailures) out.push(`    ✗ ${s.customer} ${s.expected ? "in" : "not in"} segment ${s.segment} (:${s.line}), but ${s.expected ? "is not" : "is"}`);
  return out;
}

/** The text report. */
export function textReport(results: CaseResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const where = `${r.case.file}:${r.case.span.line}:${r.case.span.col}`;
    if (r.passed) {
      out.push(`ok   ${r.case.name}`);
      continue;
    }
    out.push(`FAIL ${r.case.name} (${where})`);
    if (r.error) out.push(...r.error.trimEnd().split("\n").map((l) => `    ${l}`));
    else out.push(...sideBySide(r));
  }
  const failed = results.filter((r) => !r.passed).length;
  out.push("", `${results.length} cases: ${results.length - failed} passed, ${failed} failed`);
  return out.join("\n") + "\n";
}

/** The JSON report: every case with its verdict and, failing, its rows. */
export function jsonReport(results: CaseResult[], coverage?: unknown): string {
  const cases = results.map((r) => ({
    name: r.case.name,
    file: r.case.file,
    line: r.case.span.line,
    passed: r.passed,
    ...(r.error ? { error: r.error } : {}),
    ...(r.passed ? {} : {
      rows: r.rows.map((row) => ({ expected: row.expected ? { ...row.expected.fields, line: row.expected.span.line } : null, actual: row.actual, ...(row.forbidden ? { forbidden: true } : {}) })),
      segments: r.segmentFailures,
    }),
  }));
  const failed = results.filter((r) => !r.passed).length;
  return JSON.stringify({ cases, passed: results.length - failed, failed, ...(coverage ? { coverage } : {}) }, null, 2) + "\n";
}

const xml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** JUnit XML (times left out, so the file is the same on every run). */
export function junitReport(results: CaseResult[]): string {
  const files = [...new Set(results.map((r) => r.case.file))];
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failed = results.filter((r) => !r.passed).length;
  out.push(`<testsuites name="playbook test" tests="${results.length}" failures="${failed}">`);
  for (const f of files) {
    const rs = results.filter((r) => r.case.file === f);
    out.push(`  <testsuite name="${xml(f)}" tests="${rs.length}" failures="${rs.filter((r) => !r.passed).length}">`);
    for (const r of rs) {
      const open = `    <testcase classname="${xml(f)}" name="${xml(r.case.name)}" file="${xml(f)}" line="${r.case.span.line}"`;
      if (r.passed) out.push(`${open}/>`);
      else {
        const body = r.error ?? sideBySide(r).join("\n");
        const differ = r.rows.filter((x) => x.forbidden || !x.expected || !x.actual || !matches(x.expected, x.actual)).length;
        const first = r.error ? "the data of the case has bad rows" : `${differ} line(s) differ${r.segmentFailures.length ? `, ${r.segmentFailures.length} segment assertion(s)` : ""}`;
        out.push(`${open}>`, `      <failure message="${xml(first)}">${xml(body)}</failure>`, "    </testcase>");
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
