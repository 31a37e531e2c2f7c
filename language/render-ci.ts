/**
 * Diagnostics for CI systems, beside render.ts's text and JSON:
 *
 * - SARIF 2.1.0 (`check --format sarif`), the file code-scanning tools
 *   (GitHub, GitLab, Azure DevOps) upload: one run, the driver's `rules` are the
 *   codes that occur (id = the PB code, name, the one line of
 *   docs/diagnostics.md), one result per diagnostic with `ruleId`, `level` from
 *   the severity, the message (hint appended) and the physical location
 *   (file, 1-based line and column, end). Columns count UTF-16 code units,
 *   as the spans do (`columnKind` says so). A diagnostic without a place
 *   (PB000, an empty folder) has no `locations`. Notes are `relatedLocations`.
 * - GitHub workflow commands (`check --format github`), one line per
 *   diagnostic: `::error file=F,line=L,col=C,endLine=…,endColumn=…,title=PB101 unknown-name::message`
 *   (endColumn only when the span is on one line),
 *   which a GitHub Actions runner turns into annotations shown inline in the
 *   pull request. Values are escaped as the runner expects (`%`, CR, LF, and in
 *   properties `:` and `,`); the hint and notes follow the message on their own
 *   lines (an escaped LF).
 *
 * Both are deterministic: the diagnostics' order, fixed key order, no time stamps.
 */
import type { Diagnostic } from "./diagnostics.ts";
import { codeInfo } from "./codes.ts";
import { displayPath, type RenderOptions } from "./render.ts";

/** The message a CI annotation shows: the message, then the hint and notes on their own lines. */
function fullMessage(d: Diagnostic, opts: RenderOptions): string {
  const lines = [d.message];
  if (d.hint) lines.push(`hint: ${d.hint}`);
  for (const r of d.related ?? []) lines.push(`note: ${r.message} (${displayPath(r.span.file, opts.cwd)}:${r.span.line}:${r.span.col})`);
  return lines.join("\n");
}

/** A SARIF region of a span (1-based, end column exclusive as SARIF and our spans both have it). */
function region(span: NonNullable<Diagnostic["span"]>) {
  return { startLine: span.line, startColumn: span.col, endLine: span.endLine, endColumn: span.endCol };
}

/** The SARIF 2.1.0 log of `playbook check --format sarif`: one line, newline-terminated. */
export function renderDiagnosticsSarif(diags: readonly Diagnostic[], opts: RenderOptions = {}): string {
  const codes = [...new Set(diags.map((d) => d.code))].sort();
  const index = new Map(codes.map((c, i) => [c, i]));
  const rules = codes.map((c) => {
    const info = codeInfo(c);
    return {
      id: info.code,
      name: info.name,
      shortDescription: { text: info.doc },
      defaultConfiguration: { level: info.severity },
    };
  });
  const results = diags.map((d) => {
    const result: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: index.get(d.code),
      level: d.severity === "error" ? "error" : "warning",
      message: { text: fullMessage(d, opts) },
    };
    if (d.span) {
      result.locations = [{ physicalLocation: { artifactLocation: { uri: displayPath(d.span.file, opts.cwd) }, region: region(d.span) } }];
    }
    if (d.related?.length) {
      result.relatedLocations = d.related.map((r, i) => ({
        id: i + 1,
        message: { text: r.message },
        physicalLocation: { artifactLocation: { uri: displayPath(r.span.file, opts.cwd) }, region: region(r.span) },
      }));
    }
    return result;
  });
  const driver = { name: "playbook", rules };
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{ tool: { driver }, columnKind: "utf16CodeUnits", results }],
  };
  return JSON.stringify(log) + "\n";
}

/** A workflow command's message: `%`, CR and LF escaped. */
function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value: the message escapes plus `:` and `,`. */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `playbook check --format github`: one workflow command per diagnostic, newline-terminated. */
export function renderDiagnosticsGithub(diags: readonly Diagnostic[], opts: RenderOptions = {}): string {
  const out: string[] = [];
  for (const d of diags) {
    const props: string[] = [];
    if (d.span) {
      props.push(`file=${escapeProperty(displayPath(d.span.file, opts.cwd))}`, `line=${d.span.line}`, `col=${d.span.col}`);
      // GitHub takes an end column only for an annotation on one line.
      props.push(`endLine=${d.span.endLine}`);
      if (d.span.endLine === d.span.line) props.push(`endColumn=${d.span.endCol}`);
    }
    props.push(`title=${escapeProperty(`${d.code} ${d.name}`)}`);
    out.push(`::${d.severity === "error" ? "error" : "warning"} ${props.join(",")}::${escapeData(fullMessage(d, opts))}`);
  }
  return out.map((l) => l + "\n").join("");
}
