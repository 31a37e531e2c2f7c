import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { renderDiagnostics, renderDiagnosticsJson, summaryLine, displayPath } from "../../language/render.ts";
import type { Diagnostic } from "../../language/diagnostics.ts";
import { check } from "./check-support.ts";

describe("rendering diagnostics", () => {
  it("text: header, source line, caret under the span, hint", () => {
    const { ws, diags } = check({ rules: { r: { on: "order_placed", who: "frist_name != null", send: { channel: "email", template: "plain" } } } });
    const out = renderDiagnostics(diags, ws.files);
    const lines = out.split("\n");
    const line = diags[0]!.span!.line;
    expect(lines[0]).toBe(`ws.yaml:${line}:6: error PB101: unknown name "frist_name"`);
    expect(lines[1]).toBe(`  ${line} | who: frist_name != null`);
    expect(lines[2]).toBe(`  ${" ".repeat(String(line).length)} |      ^${"~".repeat(9)}`);
    expect(lines[3]).toBe('  hint: did you mean "first_name"?');
  });

  it("notes cite related places", () => {
    const { ws, diags } = check({ segments: { a: "b", b: "a" }, rules: { r: { on: "order_placed", who: "a", send: { channel: "email", template: "plain" } } } });
    expect(renderDiagnostics(diags, ws.files)).toMatch(/note: "b" is part of the cycle \(ws\.yaml:\d+:10\)/);
  });

  it("color only when asked, and plain text is free of escapes", () => {
    const { ws, diags } = check({ channels: { push: {} } });
    expect(renderDiagnostics(diags, ws.files)).not.toContain("\x1b[");
    expect(renderDiagnostics(diags, ws.files, { color: true })).toContain("\x1b[33mwarning\x1b[0m");
  });

  it("a caret never runs past the line and is at least one character", () => {
    const d: Diagnostic = { code: "PB101", name: "unknown-name", severity: "error", message: "m", span: { file: "f.yaml", start: 0, end: 99, line: 1, col: 3, endLine: 3, endCol: 2 } };
    expect(renderDiagnostics([d], [{ path: "f.yaml", text: "ab\tcd\r\nx\n" }]).split("\n").slice(1, 3)).toEqual(["  1 | ab cd", "    |   ^~~"]);
    const past: Diagnostic = { ...d, span: { ...d.span!, col: 9, endLine: 1, endCol: 9 } };
    expect(renderDiagnostics([past], [{ path: "f.yaml", text: "ab\n" }]).split("\n")[2]).toBe("    |         ^");
  });

  it("JSON: stable keys and counts, paths relative to cwd", () => {
    const d: Diagnostic = { code: "PB303", name: "nullable-template-field", severity: "warning", message: "m", hint: "h", span: { file: "/w/p/a.yaml", start: 0, end: 1, line: 2, col: 3, endLine: 2, endCol: 4 } };
    const e: Diagnostic = { code: "PB101", name: "unknown-name", severity: "error", message: "n" };
    expect(renderDiagnosticsJson([d, e], { cwd: "/w" })).toBe(
      '{"diagnostics":[{"code":"PB303","name":"nullable-template-field","severity":"warning","message":"m","file":"p/a.yaml","line":2,"col":3,"endLine":2,"endCol":4,"hint":"h"},' +
        '{"code":"PB101","name":"unknown-name","severity":"error","message":"n","file":null,"line":null,"col":null,"endLine":null,"endCol":null,"hint":null}],"errors":1,"warnings":1}\n',
    );
    // Relative span paths are relative to the process's folder, as the loader records them.
    expect(displayPath("a/b.yaml", join(process.cwd(), "a"))).toBe("b.yaml");
    expect(displayPath("/w/a.yaml")).toBe("/w/a.yaml");
    expect(summaryLine([d, e, e])).toBe("2 errors, 1 warning");
  });
});
