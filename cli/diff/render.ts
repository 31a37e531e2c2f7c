/**
 * The diff as text for a terminal, as Markdown for a pull-request comment,
 * and as JSON for bots. All three render the same `DiffResult`.
 */
import type { Change } from "./compare.ts";
import { KIND_ORDER } from "./compare.ts";
import type { DiffResult, Witness } from "./result.ts";

const PLURAL: Record<Change["kind"], string> = {
  rule: "rules", segment: "segments", channel: "channels", cap: "caps", default: "defaults", suppress: "suppress",
  rfm: "rfm", template: "templates", alerts: "alerts", attribute: "schema attributes", event: "schema events",
};
const MARK = { added: "+", removed: "-", changed: "~" } as const;

function side(s: DiffResult["base"]): string {
  return s.sha ? `${s.name} (${s.sha.slice(0, 7)})` : "working tree";
}

/** "2 rules changed, 1 segment added" */
export function summaryLine(r: DiffResult): string {
  if (r.changes.length === 0) return "no change in meaning";
  const counts = new Map<string, number>();
  for (const c of r.changes) {
    const k = `${c.kind}|${c.change}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => {
    const [kind, change] = k.split("|") as [Change["kind"], string];
    const noun = n === 1 ? kind : PLURAL[kind];
    return `${n} ${noun} ${change}`;
  }).join(", ");
}

function showValue(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : v === null || v === undefined ? "null" : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** "customer c42 (from the data): tier = "gold", age = 30 → before false, after true" */
export function witnessLine(w: Witness): string {
  const who = w.source === "data" ? `customer ${w.customer_id} (from the data)` : "a synthesized customer";
  const attrs = Object.entries(w.customer).map(([k, v]) => `${k} = ${showValue(v)}`);
  if (w.rfm !== undefined) attrs.push(w.rfm ? `rfm r${w.rfm.r} f${w.rfm.f} m${w.rfm.m}` : "no RFM scores");
  for (const [k, on] of Object.entries(w.flags ?? {})) if (on) attrs.push(k === "in_cadence" ? "in a cadence" : `${k}(previous)`);
  const evs = w.events.map((e) => `${e.event} ${e.ago} ago${Object.keys(e.props).length ? ` ${showValue(e.props)}` : ""}`);
  const trig = w.trigger ? [`trigger ${w.trigger.event} at ${w.trigger.ts}${Object.keys(w.trigger.props).length ? ` ${showValue(w.trigger.props)}` : ""}`] : [];
  const has = [...trig, ...attrs, ...evs];
  return `${who}${has.length ? `: ${has.join(", ")}` : " with no attributes set"} → before ${showValue(w.before)}, after ${showValue(w.after)}`;
}

function changeLines(c: Change, md: boolean): string[] {
  const code = (s: string | null) => (s === null ? "(none)" : md ? `\`${s.replaceAll("`", "'")}\`` : s);
  const head = md ? `- **${MARK[c.change]} ${c.name}** ${c.change} (\`${c.file}\`)` : `  ${MARK[c.change]} ${c.name}  (${c.file})`;
  if (c.change !== "changed") return [head];
  // An entry that is a single value (a default, a segment body, suppress) reads best on one line.
  const only = c.fields.length === 1 ? c.fields[0]! : null;
  if (only && (only.field === "value" || only.field === "expr" || only.field === "cap")) {
    return [md ? `- **~ ${c.name}**: ${code(only.before)} → ${code(only.after)} (\`${c.file}\`)` : `  ~ ${c.name}: ${code(only.before)} → ${code(only.after)}  (${c.file})`];
  }
  const ind = md ? "  - " : "      ";
  return [head, ...c.fields.map((f) => `${ind}${f.field}: ${code(f.before)} → ${code(f.after)}`)];
}

/** The text form. */
export function renderText(r: DiffResult): string {
  const out = [`playbook diff ${side(r.base)} → ${side(r.head)} · ${r.dir}`, summaryLine(r)];
  for (const kind of KIND_ORDER) {
    const cs = r.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    out.push("", PLURAL[kind]);
    for (const c of cs) out.push(...changeLines(c, false));
  }
  if (r.notes.length) out.push("", "experiment notes", ...r.notes.map((n) => `  • ${n.text}`));
  if (r.witnesses.length || r.no_witness.length) {
    out.push("", "witnesses (a customer on whom old and new disagree)");
    for (const w of r.witnesses) out.push(`  ${w.kind} ${w.name} ${w.field}: ${witnessLine(w)}`);
    for (const n of r.no_witness) out.push(`  ${n.kind} ${n.name} ${n.field}: none found (${n.why})`);
  }
  if (r.impact) {
    const im = r.impact;
    out.push("", `audience impact at ${im.at} (${im.customers} customers)`);
    for (const a of im.audiences) {
      if (a.entering === 0 && a.leaving === 0) continue;
      out.push(`  ${a.kind} ${a.name}: ${a.before ?? "–"} → ${a.after ?? "–"} (+${a.entering} entering, -${a.leaving} leaving)${a.entering_sample.length ? ` e.g. +${a.entering_sample.join(", +")}` : ""}${a.leaving_sample.length ? ` e.g. -${a.leaving_sample.join(", -")}` : ""}`);
    }
    if (im.audiences.every((a) => a.entering === 0 && a.leaving === 0)) out.push("  nobody enters or leaves any segment or rule audience");
    if (im.messages) {
      out.push(`  messages per day by channel (last ${im.messages.days} days replayed): before → after`);
      for (const m of im.messages.per_day) out.push(`    ${m.channel.padEnd(10)} ${m.before.toFixed(1)} → ${m.after.toFixed(1)}`);
      for (const c of im.messages.capped) if (c.before !== c.after) out.push(`    capped by ${c.reason}: ${c.before} → ${c.after}${c.before === 0 ? "  (starts to bite)" : ""}`);
    }
    for (const m of im.missing) out.push(`  not computed: ${m}`);
  }
  if (r.warnings.length) out.push("", ...r.warnings.map((w) => `note: ${w}`));
  return out.join("\n") + "\n";
}

/** The Markdown form, for a pull-request comment. */
export function renderMarkdown(r: DiffResult): string {
  const out = [`### Playbook diff: ${summaryLine(r)}`, "", `\`${r.dir}\` · ${side(r.base)} → ${side(r.head)}`];
  for (const kind of KIND_ORDER) {
    const cs = r.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    out.push("", `#### ${PLURAL[kind][0]!.toUpperCase()}${PLURAL[kind].slice(1)}`, "");
    for (const c of cs) out.push(...changeLines(c, true));
  }
  if (r.notes.length) out.push("", "#### Experiment notes", "", ...r.notes.map((n) => `- ${n.text}`));
  if (r.witnesses.length || r.no_witness.length) {
    out.push("", "#### Witnesses", "", "| where | field | customer | before | after |", "| --- | --- | --- | --- | --- |");
    for (const w of r.witnesses) {
      const text = witnessLine(w).replace(/ → before .*$/, "").replaceAll("|", "\\|");
      out.push(`| ${w.kind} \`${w.name}\` | ${w.field} | ${text} | ${showValue(w.before)} | ${showValue(w.after)} |`);
    }
    for (const n of r.no_witness) out.push(`| ${n.kind} \`${n.name}\` | ${n.field} | none found: ${n.why} | | |`);
  }
  if (r.impact) {
    const im = r.impact;
    out.push("", `#### Audience impact at ${im.at} (${im.customers} customers)`, "");
    const moved = im.audiences.filter((a) => a.entering || a.leaving);
    if (moved.length) {
      out.push("| audience | before | after | entering | leaving |", "| --- | ---: | ---: | ---: | ---: |");
      for (const a of moved) out.push(`| ${a.kind} \`${a.name}\` | ${a.before ?? "–"} | ${a.after ?? "–"} | +${a.entering} | -${a.leaving} |`);
    } else out.push("Nobody enters or leaves any segment or rule audience.");
    if (im.messages) {
      out.push("", `Messages per day (last ${im.messages.days} days replayed):`, "", "| channel | before | after |", "| --- | ---: | ---: |");
      for (const m of im.messages.per_day) out.push(`| ${m.channel} | ${m.before.toFixed(1)} | ${m.after.toFixed(1)} |`);
      const bite = im.messages.capped.filter((c) => c.before !== c.after);
      if (bite.length) out.push("", ...bite.map((c) => `- capped by \`${c.reason}\`: ${c.before} → ${c.after}${c.before === 0 ? " (starts to bite)" : ""}`));
    }
    if (im.missing.length) out.push("", ...im.missing.map((m) => `- _not computed: ${m}_`));
  }
  if (r.warnings.length) out.push("", ...r.warnings.map((w) => `> ${w}`));
  return out.join("\n") + "\n";
}

/** The JSON form: the result as is, two-space indented, keys in the result's order. */
export function renderJson(r: DiffResult): string {
  return JSON.stringify(r, null, 2) + "\n";
}
