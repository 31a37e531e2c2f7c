/**
 * Experiment notes: what a change does to the holdout experiments, which a
 * structural diff does not show. Assignment is `h(salt, customer) < holdout`
 * with `h` fixed by the salt and the customer id (contract.md, "Holdout
 * assignment"), so:
 * - raising a holdout moves exactly the customers with h in [old, new) from
 *   treatment to holdout, and nobody the other way; lowering it moves
 *   h in [new, old) from holdout to treatment, and nobody the other way;
 * - a new salt draws a fresh h for everyone: groups are reshuffled;
 * - priority decides arbitration (higher first, ties by rule id), so a new
 *   priority changes which rules this one beats or yields to.
 */
import type { View } from "./view.ts";

/** One note for the reviewer. */
export interface Note {
  kind: "holdout_raised" | "holdout_lowered" | "salt_changed" | "priority_changed" | "global_holdout_changed" | "rule_added" | "rule_removed";
  rule: string | null;
  text: string;
  /** Machine-readable facts behind the text. */
  data: Record<string, unknown>;
}

function percentOf(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^(-?\d+(?:\.\d+)?)%$/.exec(text);
  return m ? Number(m[1]) / 100 : null;
}

const pc = (x: number) => `${Math.round(x * 1e6) / 1e4}%`;

function field(v: View, id: string, f: string): string | undefined {
  return v.get(`rule:${id}`)?.fields.get(f)?.text;
}

/** The holdout a rule actually gets: its own, else the workspace default (10% when none is written). */
function effectiveHoldout(v: View, id: string): number {
  const own = field(v, id, "holdout");
  if (own !== undefined && own !== "(default)") return percentOf(own) ?? 0;
  return percentOf(v.get("default:holdout")?.fields.get("value")?.text) ?? 0.1;
}

function ruleIds(v: View): string[] {
  return [...v.values()].filter((e) => e.kind === "rule").map((e) => e.name).sort();
}

/** `a` goes before `b` in arbitration: higher priority, ties by rule id. */
function goesFirst(pa: number, a: string, pb: number, b: string): boolean {
  return pa > pb || (pa === pb && a < b);
}

function holdoutNote(rule: string | null, who: string, before: number, after: number, inherited: boolean): Note {
  const src = inherited ? " (inherited from defaults.holdout)" : "";
  if (after > before) {
    return {
      kind: rule ? "holdout_raised" : "global_holdout_changed", rule,
      text: `${who} holdout raised from ${pc(before)} to ${pc(after)}${src}: customers whose hash falls in [${pc(before)}, ${pc(after)}) — about ${pc(after - before)} of entrants — move from treatment to holdout; nobody moves from holdout to treatment (the hash of a customer does not change, only the threshold). The movers were treated before: compare entries from the change on.`,
      data: { before, after, moved_share: after - before, direction: "treatment_to_holdout", inherited },
    };
  }
  return {
    kind: rule ? "holdout_lowered" : "global_holdout_changed", rule,
    text: `${who} holdout lowered from ${pc(before)} to ${pc(after)}${src}: customers whose hash falls in [${pc(after)}, ${pc(before)}) — about ${pc(before - after)} of entrants, ${pc(before === 0 ? 0 : (before - after) / before)} of the holdout — move from holdout to treatment; nobody moves from treatment to holdout. A smaller holdout widens the intervals.`,
    data: { before, after, moved_share: before - after, direction: "holdout_to_treatment", inherited },
  };
}

/** Every experiment note for a change from `base` to `head`. */
export function experimentNotes(base: View, head: View): Note[] {
  const out: Note[] = [];
  const b = new Set(ruleIds(base)), h = new Set(ruleIds(head));
  const both = [...h].filter((id) => b.has(id));
  for (const id of both) {
    const saltB = field(base, id, "salt")!, saltH = field(head, id, "salt")!;
    const hb = effectiveHoldout(base, id), ha = effectiveHoldout(head, id);
    if (saltB !== saltH) {
      const hh = ha;
      out.push({
        kind: "salt_changed", rule: id,
        text: `${id}: salt changed from "${saltB}" to "${saltH}": every customer gets a fresh hash, so groups are reshuffled (about ${pc(2 * hh * (1 - hh))} of customers switch group at a ${pc(hh)} holdout). Results before and after the change cannot be pooled: start a new analysis period.`,
        data: { before: saltB, after: saltH, switch_share: 2 * hh * (1 - hh) },
      });
    } else if (hb !== ha) {
      out.push(holdoutNote(id, `${id}:`, hb, ha, field(head, id, "holdout") === "(default)"));
    }
    const pb = Number(field(base, id, "priority")), ph = Number(field(head, id, "priority"));
    if (pb !== ph) {
      const beats: string[] = [], yields: string[] = [];
      for (const o of both) {
        if (o === id) continue;
        const before = goesFirst(pb, id, Number(field(base, o, "priority")), o);
        const after = goesFirst(ph, id, Number(field(head, o, "priority")), o);
        if (!before && after) beats.push(o);
        if (before && !after) yields.push(o);
      }
      const parts = [beats.length ? `now beats ${beats.join(", ")}` : "", yields.length ? `now yields to ${yields.join(", ")}` : ""].filter(Boolean);
      out.push({
        kind: "priority_changed", rule: id,
        text: `${id}: priority ${pb} → ${ph}: ${parts.length ? parts.join("; ") : "no rule changes places with it"} when both want the same customer at the same instant.`,
        data: { before: pb, after: ph, beats, yields },
      });
    }
  }
  for (const id of [...h].filter((x) => !b.has(x)))
    out.push({ kind: "rule_added", rule: id, text: `${id}: new rule, a new experiment with a ${pc(effectiveHoldout(head, id))} holdout (salt "${field(head, id, "salt")}").`, data: { holdout: effectiveHoldout(head, id), salt: field(head, id, "salt") } });
  for (const id of [...b].filter((x) => !h.has(x)))
    out.push({ kind: "rule_removed", rule: id, text: `${id}: removed; its experiment ends here (report its results up to the change).`, data: {} });
  const db = percentOf(base.get("default:holdout")?.fields.get("value")?.text) ?? 0.1;
  const dh = percentOf(head.get("default:holdout")?.fields.get("value")?.text) ?? 0.1;
  if (db !== dh && !both.some((id) => field(head, id, "holdout") === "(default)" && field(head, id, "salt") === field(base, id, "salt")))
    out.push({ kind: dh > db ? "holdout_raised" : "holdout_lowered", rule: null, text: `defaults.holdout ${pc(db)} → ${pc(dh)}: no existing rule inherits it (each sets its own), so no experiment moves; rules added without a holdout get ${pc(dh)}.`, data: { before: db, after: dh, inherited_by: [] } });
  const gb = percentOf(base.get("default:global_holdout")?.fields.get("value")?.text) ?? 0;
  const gh = percentOf(head.get("default:global_holdout")?.fields.get("value")?.text) ?? 0;
  if (gb !== gh) out.push(holdoutNote(null, "global", gb, gh, false));
  return out;
}
