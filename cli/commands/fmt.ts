import { readFile, readdir, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CliIO } from "../io.ts";
import { EXIT } from "../io.ts";
import { formatText } from "../../language/formatter.ts";
import { renderDiagnostics } from "../../language/render.ts";

export const summary = "rewrite playbooks in canonical layout, comments kept (--check: list what would change)";
export const usage = `Usage: playbook fmt [--check] [DIR|FILE…]

Formats every .yaml/.yml file below each DIR (default: .) in place:
canonical expressions, triggers and caps; LF line endings; no trailing spaces.
Comments, key order and alignment are kept. Idempotent.

Options:
  --check   write nothing; list the files that would change and exit 1 if any
  --help    this text

Exit: 0 nothing (left) to change, 1 --check found files to change or a file has
syntax errors, 2 usage or I/O trouble.`;

async function collect(p: string, out: string[]): Promise<void> {
  const s = await stat(p);
  if (s.isFile()) {
    out.push(p);
    return;
  }
  for (const it of (await readdir(p, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (it.name.startsWith(".") || it.name === "node_modules") continue;
    const q = join(p, it.name);
    if (it.isDirectory()) await collect(q, out);
    else if (/\.ya?ml$/i.test(it.name)) out.push(q);
  }
}

/** Runs `playbook fmt`. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { check: { type: "boolean", default: false } }, allowPositionals: true });
  const targets = positionals.length ? positionals : ["."];
  const files: string[] = [];
  for (const t of targets) {
    const abs = resolve(io.cwd, t);
    try {
      await collect(abs, files);
    } catch {
      io.stderr(`playbook fmt: ${t}: no such file or folder\n`);
      return EXIT.usage;
    }
  }
  let changed = 0;
  let broken = 0;
  for (const abs of files) {
    const rel = relative(io.cwd, abs) || abs;
    const text = new TextDecoder().decode(await readFile(abs));
    const r = formatText(rel, text);
    if (r.diagnostics.some((d) => d.severity === "error")) {
      broken++;
      io.stderr(renderDiagnostics(r.diagnostics.filter((d) => d.severity === "error"), [{ path: rel, text: r.text }], { cwd: io.cwd }));
      continue;
    }
    if (!r.changed) continue;
    changed++;
    if (values.check) io.stdout(`${rel}\n`);
    else await writeFile(abs, r.text);
  }
  if (values.check) {
    io.stderr(changed ? `${changed} of ${files.length} file(s) would be reformatted\n` : `${files.length} file(s) already formatted\n`);
    return changed || broken ? EXIT.failed : EXIT.ok;
  }
  io.stderr(`${changed} of ${files.length} file(s) reformatted\n`);
  return broken ? EXIT.failed : EXIT.ok;
}
