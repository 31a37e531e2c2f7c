/**
 * What reading a file costs most — the YAML document and the expressions,
 * triggers and caps parsed from it — kept between loads of the same folder
 * (the language server re-reads its folder on every keystroke). An entry is
 * valid only for the exact text it was made from: a file whose text changed
 * is parsed afresh, so a keystroke re-parses the file typed in and reuses the
 * others. Results are what a fresh parse would give; the two fields the type
 * checker fills in on expression nodes (`type`, and `ref` on names) are
 * cleared on reuse, so a reused tree is checked as a new one would be.
 */
import type { Document } from "yaml";

/** One file's parses, for one text. */
export interface FileParses {
  /** The YAML document (undefined until parsed). */
  doc?: Document.Parsed;
  /** Offsets where the lines start. */
  lineStarts?: number[];
  /** `kind:offset:text` → parse result and its expression nodes. */
  readonly results: Map<string, { value: unknown; nodes: Record<string, unknown>[] }>;
}

/** Parses per file path, each for one text. */
export class ParseCache {
  private readonly files = new Map<string, { text: string; parses: FileParses }>();

  /** The parses of `path` made from `text`: kept ones when the text is the same, else new. */
  file(path: string, text: string): FileParses {
    const had = this.files.get(path);
    if (had && had.text === text) return had.parses;
    const parses: FileParses = { results: new Map() };
    this.files.set(path, { text, parses });
    return parses;
  }

  /** Forgets the files not in `paths` (deleted from the folder). */
  retain(paths: Iterable<string>): void {
    const keep = new Set(paths);
    for (const p of [...this.files.keys()]) if (!keep.has(p)) this.files.delete(p);
  }
}

/** Every expression node under `v` (an object with a string `kind` and a `span`), in `out`. */
export function exprNodes(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (v === null || typeof v !== "object") return out;
  if (Array.isArray(v)) {
    for (const x of v) exprNodes(x, out);
    return out;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.kind === "string" && "span" in o) out.push(o);
  for (const k in o) if (k !== "span" && k !== "type" && k !== "ref") exprNodes(o[k], out);
  return out;
}

/**
 * Clears what the checker filled in (`type`, and `ref` on names) on the nodes `exprNodes`
 * listed. Assigned undefined rather than deleted: a deleted property would turn every node
 * into a slow dictionary object for the checker that reads them next.
 */
export function clearChecked(nodes: readonly Record<string, unknown>[]): void {
  for (const n of nodes) {
    if (n.type !== undefined) n.type = undefined;
    if (n.ref !== undefined) n.ref = undefined;
  }
}
