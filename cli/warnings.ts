/**
 * The lint warnings of the workspace, as the commands that run it (run,
 * simulate, segments) show them: one line saying how many and where to read
 * them, printed with the summaries when the command succeeds — not the full
 * diagnostics (16 lines for the example, on every run), and never before a
 * fatal error, which comes last and alone. `playbook check` prints them in full.
 */

/**
 * How many diagnostics a rendered warnings text holds: one header line each
 * (`file:line:col: warning CODE: message`, or `warning CODE: message` without a
 * place; language/render.ts), the source, caret, hint and note lines under it
 * being indented.
 */
export function countDiagnostics(rendered: string): number {
  return (rendered.match(/^(?:\S[^\n]*?:\d+:\d+: )?warning [A-Z]+\d+: /gm) ?? []).length;
}

/**
 * `4 warnings: playbook check playbooks/shop for details` (the folder as the
 * user typed it), or "" when there are none.
 */
export function warningsLine(rendered: string, dir: string): string {
  const n = countDiagnostics(rendered);
  if (n === 0) return "";
  const quoted = /^[\w./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, "'\\''")}'`;
  return `${n} warning${n === 1 ? "" : "s"}: playbook check ${quoted} for details\n`;
}
