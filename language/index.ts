/**
 * The language's public surface: load a workspace, parse an expression, print
 * one. Everything else in language/ is private to it.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { didYouMean } from "./fuzzy.ts";
import type { Expr, SourceFile, Workspace } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { buildWorkspace, emptyWorkspace } from "./workspace.ts";
import type { ParseCache } from "./parse-cache.ts";
import { parseExpr, textSpanMap } from "./parse.ts";

export { printExpr, featureKey } from "./printer.ts";
export { buildWorkspace as loadWorkspaceFromFilesSorted };

/** Largest file read; larger ones are reported, not read (a playbook is small). */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Collects `*.yaml` / `*.yml` below `dir` (recursively, sorted, skipping dot-folders and node_modules). */
export async function collectYamlFiles(dir: string, out: string[]): Promise<void> {
  const items = await readdir(dir, { withFileTypes: true });
  for (const it of items.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (it.name.startsWith(".") || it.name === "node_modules") continue;
    const p = join(dir, it.name);
    if (it.isDirectory()) await collectYamlFiles(p, out);
    // Test files (`*.test.yaml`, language/test-files.ts) are part of the folder but not of the program.
    else if (it.isFile() && /\.ya?ml$/i.test(it.name) && !/\.test\.ya?ml$/i.test(it.name)) out.push(p);
  }
}

/** Options of `loadWorkspace`. */
export interface LoadOptions {
  /**
   * The folder as the user typed it (`../x/playbooks`, `/abs/playbooks`):
   * file paths in spans become this plus the file's path inside the folder,
   * so diagnostics show the path as typed whatever the current folder. When
   * absent, paths are relative to the process's working folder.
   */
  shownAs?: string;
}

/**
 * Reads every YAML file of a workspace folder and builds the program (no
 * semantic checks: see `checkWorkspace`). A path that does not exist, and a
 * folder without YAML files, are PB000 errors: there is nothing to check, and
 * a typo in the path must not pass as a clean check. Throws only for other
 * I/O trouble (permissions), which the CLI reports as exit 2.
 */
export async function loadWorkspace(dir: string, opts: LoadOptions = {}): Promise<{ workspace: Workspace; diagnostics: Diagnostic[] }> {
  const shown = opts.shownAs;
  const rel = (p: string) => (shown !== undefined ? join(shown, relative(dir, p)) : relative(process.cwd(), p) || p);
  const st = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT" || e.code === "ENOTDIR") return null;
    throw e;
  });
  if (!st) {
    const near = await nearbyFolder(dir);
    const d: Diagnostic = { code: "PB000", name: "empty-workspace", severity: "error", message: `no such folder: ${shown ?? rel(dir)}` };
    if (near) d.hint = `did you mean "${near}"?`;
    return { workspace: emptyWorkspace(dir), diagnostics: [d] };
  }
  const paths: string[] = [];
  if (st.isDirectory()) await collectYamlFiles(dir, paths);
  else paths.push(dir);
  const files: SourceFile[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.size > MAX_FILE_BYTES) {
      diagnostics.push({ code: "PB009", name: "file-too-large", severity: "error", message: `${rel(p)} is ${s.size} bytes; playbook files are limited to ${MAX_FILE_BYTES}` });
      continue;
    }
    const buf = await readFile(p);
    const text = new TextDecoder("utf-8", { fatal: false }).decode(buf);
    const name = st.isDirectory() ? relative(dir, p).split(sep).join("/") : basename(p);
    files.push({ path: st.isDirectory() ? rel(p) : (shown ?? rel(p)), text, name });
  }
  if (files.length === 0 && diagnostics.length === 0)
    diagnostics.push({ code: "PB000", name: "empty-workspace", severity: "error", message: `no .yaml or .yml files in ${shown ?? rel(dir)}`, hint: "give the folder that holds the playbook's YAML files" });
  const r = loadWorkspaceFromFiles(dir, files);
  return { workspace: r.workspace, diagnostics: [...diagnostics, ...r.diagnostics] };
}

/** A sibling folder whose name is close to the missing last segment of `dir` (`playbok` → `playbooks`). */
async function nearbyFolder(dir: string): Promise<string | undefined> {
  const parent = dirname(dir);
  const items = await readdir(parent, { withFileTypes: true }).catch(() => []);
  const near = didYouMean(basename(dir), items.filter((d) => d.isDirectory() && !d.name.startsWith(".")).map((d) => d.name));
  return near;
}

/** Builds a workspace from in-memory files (tests, `diff` at a git revision). */
export function loadWorkspaceFromFiles(root: string, files: SourceFile[], o: { cache?: ParseCache } = {}): { workspace: Workspace; diagnostics: Diagnostic[] } {
  return buildWorkspace(root, files, o.cache);
}

/** Parses one expression (spans relative to `text`, in file `file`). */
export function parseExpression(text: string, file = "<expr>"): { expr?: Expr; diagnostics: Diagnostic[] } {
  return parseExpr(text, textSpanMap(file, text));
}

export { emptyWorkspace };
