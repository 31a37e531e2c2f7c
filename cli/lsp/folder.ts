/**
 * One workspace folder as the editor sees it: the YAML files on disk, with
 * the open documents' unsaved text in place of theirs, loaded and checked
 * exactly as `playbook check` does (same loader, same checker, so the same
 * codes and spans). Disk texts are read once and kept until the editor says a
 * file changed on disk (save, close, watched-file events). The YAML and
 * expression parses of a file are kept while its text stays the same
 * (language/parse-cache.ts): a keystroke re-parses the one file typed in.
 */
import { readFile, stat } from "node:fs/promises";
import { relative, sep } from "node:path";
import { collectYamlFiles, loadWorkspaceFromFiles, MAX_FILE_BYTES } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { ParseCache } from "../../language/parse-cache.ts";
import type { SourceFile, Workspace } from "../../language/ast.ts";
import type { Diagnostic } from "../../language/diagnostics.ts";

/** The last check of a folder: its program and every diagnostic, by absolute file path. */
export interface Checked {
  workspace: Workspace;
  /** Every file of the folder (absolute path) → its diagnostics (possibly none). */
  byFile: Map<string, Diagnostic[]>;
}

export class Folder {
  /** Absolute path → text on disk (null: too large or unreadable, left out as the loader would). */
  private disk: Map<string, string | null> | null = null;
  last: Checked | null = null;
  /** Parses of the files, reused for those whose text a keystroke did not change. */
  private readonly parses = new ParseCache();

  constructor(readonly dir: string) {}

  /** Forgets the disk text of `path` (or of every file), so the next check reads it again. */
  invalidate(path?: string): void {
    if (!path || !this.disk) this.disk = null;
    else this.disk.delete(path);
  }

  private async readDisk(): Promise<Map<string, string | null>> {
    const paths: string[] = [];
    await collectYamlFiles(this.dir, paths).catch(() => undefined);
    const old = this.disk ?? new Map<string, string | null>();
    const next = new Map<string, string | null>();
    for (const p of paths) {
      if (old.has(p)) {
        next.set(p, old.get(p)!);
        continue;
      }
      const s = await stat(p).catch(() => null);
      if (!s || s.size > MAX_FILE_BYTES) next.set(p, null);
      else next.set(p, new TextDecoder("utf-8", { fatal: false }).decode(await readFile(p)));
    }
    this.disk = next;
    return next;
  }

  /** Loads and checks the folder; `open` (absolute path → text) overrides disk. */
  async check(open: Map<string, string>): Promise<Checked> {
    const disk = this.disk ?? (await this.readDisk());
    const texts = new Map(disk);
    for (const [p, t] of open) if (p.startsWith(this.dir + sep) && /\.ya?ml$/i.test(p)) texts.set(p, t);
    const files: SourceFile[] = [];
    for (const [p, t] of texts) if (t !== null) files.push({ path: p, text: t, name: relative(this.dir, p).split(sep).join("/") });
    const { workspace, diagnostics } = loadWorkspaceFromFiles(this.dir, files, { cache: this.parses });
    // As `check`: the semantic checks run only on a workspace that reads without errors.
    const all = diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)];
    const byFile = new Map<string, Diagnostic[]>();
    for (const f of files) byFile.set(f.path, []);
    for (const d of all) if (d.span && byFile.has(d.span.file)) byFile.get(d.span.file)!.push(d);
    this.last = { workspace, byFile };
    return this.last;
  }
}
