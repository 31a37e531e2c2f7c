/**
 * Structural comparison of two workspace views: for every entry, added,
 * removed or changed, and for a change the fields that differ (old and new
 * canonical text). Entries are listed by kind in a fixed order, then by name,
 * so the output is the same whatever the file layout.
 */
import type { EntryKind, FieldValue, View } from "./view.ts";

/** One field that differs. */
export interface FieldChange {
  field: string;
  /** null when the field is absent on that side (a step added or removed). */
  before: string | null;
  after: string | null;
  expr: boolean;
}

/** One entry that differs. */
export interface Change {
  kind: EntryKind;
  name: string;
  change: "added" | "removed" | "changed";
  /** Where it is written on the side that has it (head when both). */
  file: string;
  fields: FieldChange[];
}

/** Order of kinds in every output: what reviewers read first first. */
export const KIND_ORDER: EntryKind[] = ["rule", "segment", "channel", "cap", "default", "suppress", "rfm", "template", "alerts", "attribute", "event"];

function fieldChanges(a: Map<string, FieldValue>, b: Map<string, FieldValue>): FieldChange[] {
  const names = [...new Set([...a.keys(), ...b.keys()])];
  const out: FieldChange[] = [];
  for (const k of names) {
    const x = a.get(k), y = b.get(k);
    if (x?.text === y?.text) continue;
    out.push({ field: k, before: x?.text ?? null, after: y?.text ?? null, expr: Boolean(x?.expr || y?.expr) });
  }
  return out;
}

/** Every difference between `base` and `head`. */
export function compareViews(base: View, head: View): Change[] {
  const keys = [...new Set([...base.keys(), ...head.keys()])];
  const out: Change[] = [];
  for (const key of keys) {
    const a = base.get(key), b = head.get(key);
    const e = (b ?? a)!;
    if (!a) out.push({ kind: e.kind, name: e.name, change: "added", file: e.file, fields: fieldChanges(new Map(), b!.fields) });
    else if (!b) out.push({ kind: e.kind, name: e.name, change: "removed", file: a.file, fields: fieldChanges(a.fields, new Map()) });
    else {
      const fields = fieldChanges(a.fields, b.fields);
      if (fields.length) out.push({ kind: e.kind, name: e.name, change: "changed", file: b.file, fields });
    }
  }
  return out.sort((x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}
