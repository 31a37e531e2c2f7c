/**
 * The language's public surface: load a workspace, parse an expression, print
 * one. Everything else in language/ is private to it.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Expr, SourceFile, Workspace } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { buildWorkspace, emptyWorkspace } from "./workspace.ts";
import { parseExpr, textSpanMap } from "./parse.ts";

export { printExpr, featureKey } from "./printer.ts";
export { buildWorkspace as loadWorkspaceFromFilesSorted };

/** Largest file read; larger ones are reported, not read (a playbook is small). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Collects `*.yaml` / `*.yml` below `dir` (recursively, sorted, skipping dot-folders and node_modules). */
async function collect(dir: string, out: string[]): Promise<void> {
  const items = await readdir(dir, { withFileTypes: true });
  for (const it of items.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (it.name.startsWith(".") || it.name === "node_modules") continue;
    const p = join(dir, it.name);
    if (it.isDirectory()) await collect(p, out);
    else if (it.isFile() && /\.ya?ml$/i.test(it.name)) out.push(p);
  }
}

/**
 * Reads every YAML file of a workspace folder and builds the program (no
 * semantic checks: see `checkWorkspace`). Throws only for I/O trouble with the
 * folder itself (missing, not a folder), which the CLI reports as exit 2.
 */
export async function loadWorkspace(dir: string): Promise<{ workspace: Workspace; diagnostics: Diagnostic[] }> {
  const st = await stat(dir);
  const paths: string[] = [];
  if (st.isDirectory()) await collect(dir, paths);
  else paths.push(dir);
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const rel = (p: string) => relative(process.cwd(), p) || p;
  for (const p of paths) {
    const s = await stat(p);
    if (s.size > MAX_FILE_BYTES) {
      diagnostics.push({ code: "PB009", name: "file-too-large", severity: "error", message: `${rel(p)} is ${s.size} bytes; playbook files are limited to ${MAX_FILE_BYTES}` });
      continue;
    }
    const buf = await readFile(p);
    const text = new TextDecoder("utf-8", { fatal: false }).decode(buf);
    files.push({ path: rel(p), text });
  }
  if (files.length === 0 && diagnostics.length === 0)
    diagnostics.push({ code: "PB000", name: "empty-workspace", severity: "warning", message: `no .yaml or .yml files in ${rel(dir)}` });
  const r = loadWorkspaceFromFiles(dir, files);
  return { workspace: r.workspace, diagnostics: [...diagnostics, ...r.diagnostics] };
}

/** Builds a workspace from in-memory files (tests, `diff` at a git revision). */
export function loadWorkspaceFromFiles(root: string, files: SourceFile[]): { workspace: Workspace; diagnostics: Diagnostic[] } {
  return buildWorkspace(root, files);
}

/** Parses one expression (spans relative to `text`, in file `file`). */
export function parseExpression(text: string, file = "<expr>"): { expr?: Expr; diagnostics: Diagnostic[] } {
  return parseExpr(text, textSpanMap(file, text));
}

export { emptyWorkspace };
