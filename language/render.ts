/**
 * Diagnostics as people and machines read them (contract.md):
 *
 *     playbooks/lifecycle.yaml:27:19: warning PB303: template "cart_email" needs …
 *       27 |         template: cart_email
 *          |                   ^~~~~~~~~~
 *       hint: add "first_name != null" to who …
 *
 * Paths are shown as the spans hold them (`playbook check` loads with
 * `shownAs`, so they are the folder as typed), or relative to `cwd` when that
 * option is given. Color is an option the CLI turns on only
 * for a terminal without NO_COLOR, so tests and pipes see plain text. The JSON
 * form has a fixed key order and one object per diagnostic.
 */
import { isAbsolute, relative, resolve } from "node:path";
import type { SourceFile, Span } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";

/** Options of both renderers. */
export interface RenderOptions {
  /** ANSI colors (off by default). */
  color?: boolean;
  /** Paths are printed relative to this folder; as given when absent. */
  cwd?: string;
}

const ANSI = { red: "\x1b[31m", yellow: "\x1b[33m", bold: "\x1b[1m", cyan: "\x1b[36m", dim: "\x1b[2m", reset: "\x1b[0m" };

/**
 * A span's file as the user should see it, relative to `cwd`. A relative span
 * path is relative to the process's working folder (that is how the loader
 * records it), so it is resolved against that first.
 */
export function displayPath(file: string, cwd?: string): string {
  if (!cwd) return file;
  const rel = relative(cwd, isAbsolute(file) ? file : resolve(file));
  return rel === "" ? file : rel.split("\\").join("/");
}

function lineOf(files: Map<string, string[]>, span: Span): string | undefined {
  return files.get(span.file)?.[span.line - 1];
}

/** The underline for a span on its first line: `^` then `~` to the span's end (or the line's). */
function caret(line: string, span: Span): string {
  const start = Math.max(0, span.col - 1);
  const end = span.endLine === span.line ? span.endCol - 1 : line.length;
  const width = Math.max(1, Math.min(end, line.length) - start);
  return " ".repeat(start) + "^" + "~".repeat(width - 1);
}

/** Renders diagnostics as text: header, source line, caret, hint and notes; one blank line between. */
export function renderDiagnostics(diags: readonly Diagnostic[], files: readonly SourceFile[], opts: RenderOptions = {}): string {
  const c = (code: keyof typeof ANSI, s: string) => (opts.color ? ANSI[code] + s + ANSI.reset : s);
  const lines = new Map(files.map((f) => [f.path, f.text.replace(/^\uFEFF/, "").split(/\r?\n|\r/)]));
  const out: string[] = [];
  for (const d of diags) {
    const where = d.span ? `${displayPath(d.span.file, opts.cwd)}:${d.span.line}:${d.span.col}: ` : "";
    const sev = d.severity === "error" ? c("red", "error") : c("yellow", "warning");
    out.push(`${where}${sev} ${d.code}: ${c("bold", d.message)}`);
    const src = d.span ? lineOf(lines, d.span) : undefined;
    if (d.span && src !== undefined) {
      // Tabs become one space so the caret stays under its column (the column counts a tab as one character).
      const text = src.replace(/\t/g, " ");
      const shown = text.length > 200 ? text.slice(0, 200) + "…" : text;
      const num = String(d.span.line);
      const pad = " ".repeat(num.length);
      out.push(`  ${c("dim", num + " |")} ${shown}`);
      out.push(`  ${c("dim", pad + " |")} ${c("cyan", caret(shown, d.span))}`);
    }
    if (d.hint) out.push(`  hint: ${d.hint}`);
    for (const r of d.related ?? []) out.push(`  note: ${r.message} (${displayPath(r.span.file, opts.cwd)}:${r.span.line}:${r.span.col})`);
    out.push("");
  }
  return out.join("\n");
}

/** `2 errors, 1 warning` — the last line of `playbook check`. */
export function summaryLine(diags: readonly Diagnostic[]): string {
  const e = diags.filter((d) => d.severity === "error").length;
  const w = diags.length - e;
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
  return `${n(e, "error")}, ${n(w, "warning")}`;
}

/** One diagnostic in the stable JSON form of `--format json`. */
export interface DiagnosticJson {
  code: string;
  name: string;
  severity: "error" | "warning";
  message: string;
  file: string | null;
  line: number | null;
  col: number | null;
  endLine: number | null;
  endCol: number | null;
  hint: string | null;
}

/** The `--format json` document: keys always present and in this order, one line, newline-terminated. */
export function renderDiagnosticsJson(diags: readonly Diagnostic[], opts: RenderOptions = {}): string {
  const list: DiagnosticJson[] = diags.map((d) => ({
    code: d.code,
    name: d.name,
    severity: d.severity,
    message: d.message,
    file: d.span ? displayPath(d.span.file, opts.cwd) : null,
    line: d.span?.line ?? null,
    col: d.span?.col ?? null,
    endLine: d.span?.endLine ?? null,
    endCol: d.span?.endCol ?? null,
    hint: d.hint ?? null,
  }));
  const errors = diags.filter((d) => d.severity === "error").length;
  return JSON.stringify({ diagnostics: list, errors, warnings: diags.length - errors }) + "\n";
}
