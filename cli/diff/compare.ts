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

/**
 * What a cap line limits, and the rest of the line: `email: max 3 per 7d` →
 * ["email", "max 3 per 7d"], `max 2 per 1d` → ["all channels", …],
 * `gap 1h between messages` → ["gap", …], `pause 2d after E` → ["pause after E", …].
 */
export function capScope(text: string): { scope: string; rest: string; window: string | null } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$/.exec(text);
  const [scope, rest] = m ? [m[1]!, m[2]!] : /^gap\b/.test(text) ? ["gap", text] : /^pause\b/.test(text) ? [`pause after ${/after\s+(\S+)/.exec(text)?.[1] ?? ""}`.trim(), text] : ["all channels", text];
  return { scope, rest, window: /\bper\s+(\S+)/.exec(rest)?.[1] ?? null };
}

/**
 * Caps have no names, so an edited cap first compares as one removed line and
 * one added line. Pair them into one "changed" entry named by what the cap
 * limits: first a removed and an added cap of the same scope and window (the
 * count changed), then the one removed and one added left in a scope (the
 * window changed). Anything else stays added or removed.
 */
function pairCaps(changes: Change[]): Change[] {
  const removed = changes.filter((c) => c.kind === "cap" && c.change === "removed");
  const added = changes.filter((c) => c.kind === "cap" && c.change === "added");
  const used = new Set<Change>();
  const out: Change[] = [];
  const pair = (a: Change, b: Change) => {
    used.add(a).add(b);
    const x = capScope(a.name), y = capScope(b.name);
    out.push({ kind: "cap", name: y.scope, change: "changed", file: b.file, fields: [{ field: "cap", before: x.rest, after: y.rest, expr: false }] });
  };
  for (const a of removed) {
    const x = capScope(a.name);
    const b = added.find((c) => !used.has(c) && capScope(c.name).scope === x.scope && capScope(c.name).window === x.window);
    if (b) pair(a, b);
  }
  const scopes = new Set(removed.filter((c) => !used.has(c)).map((c) => capScope(c.name).scope));
  for (const sc of scopes) {
    const rs = removed.filter((c) => !used.has(c) && capScope(c.name).scope === sc), as = added.filter((c) => !used.has(c) && capScope(c.name).scope === sc);
    if (rs.length === 1 && as.length === 1) pair(rs[0]!, as[0]!);
  }
  return [...changes.filter((c) => !used.has(c)), ...out];
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
  return pairCaps(out).sort((x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}
