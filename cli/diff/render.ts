/**
 * The diff as text for a terminal, as Markdown for a pull-request comment,
 * and as JSON for bots. All three render the same `DiffResult`.
 */
import type { Change } from "./compare.ts";
import { KIND_ORDER } from "./compare.ts";
import { canonDuration } from "./view.ts";
import type { AudienceDelta, DiffResult, Witness } from "./result.ts";

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

/** The audience row of a rule or segment, when the impact has one. */
function audienceOf(r: DiffResult, kind: string, name: string): AudienceDelta | undefined {
  return r.impact?.audiences.find((a) => a.kind === kind && a.name === name);
}

function basisText(a: AudienceDelta, days: number): string {
  return a.basis === "triggered" ? ` (fired for in the ${days} days replayed)` : "";
}

/**
 * What a new rule does, in one line: its trigger, whom it takes, how many
 * messages on which channels, and — with data — its audience.
 */
export function ruleSummary(c: Change, r: DiffResult, code: (s: string | null) => string): string {
  const f = new Map(c.fields.map((x) => [x.field, x.after ?? x.before]));
  const parts = [`on ${code(f.get("on") ?? "")}`];
  if (f.get("who") && f.get("who") !== "true") parts.push(`who ${code(f.get("who")!)}`);
  if (f.get("unless") && f.get("unless") !== "false") parts.push(`unless ${code(f.get("unless")!)}`);
  const chans = [...new Set(c.fields.filter((x) => /^step \d+\.channel$/.test(x.field)).flatMap((x) => (x.after ?? x.before ?? "").split(", ")).filter(Boolean))];
  const shape = f.get("shape") === "one message" ? "one message" : (f.get("shape") ?? "").replace("cadence of", "a cadence of") + " steps";
  parts.push(`${shape} via ${chans.join(" or ") || "no channel"}`);
  const a = audienceOf(r, "rule", c.name);
  const n = c.change === "removed" ? a?.before : a?.after;
  if (a && n !== null && n !== undefined) parts.push(`audience ${n} at ${r.impact!.at}${basisText(a, r.impact!.messages?.days ?? 7)}`);
  else if (r.impact) parts.push("audience not computed (see below)");
  return parts.join("; ");
}

function changeLines(c: Change, md: boolean, r: DiffResult): string[] {
  const code = (s: string | null) => (s === null ? "(none)" : md ? `\`${s.replaceAll("`", "'")}\`` : s);
  const head = md ? `- **${MARK[c.change]} ${c.name}** ${c.change} (\`${c.file}\`)` : `  ${MARK[c.change]} ${c.name}  (${c.file})`;
  if (c.kind === "rule" && c.change !== "changed") return [`${head}${md ? ":" : "\n     "} ${ruleSummary(c, r, code)}`];
  if (c.change !== "changed") return [head];
  // An entry that is a single value (a default, a segment body, suppress) reads best on one line.
  const only = c.fields.length === 1 ? c.fields[0]! : null;
  if (only && (only.field === "value" || only.field === "expr" || only.field === "cap")) {
    return [md ? `- **~ ${c.name}**: ${code(only.before)} → ${code(only.after)} (\`${c.file}\`)` : `  ~ ${c.name}: ${code(only.before)} → ${code(only.after)}  (${c.file})`];
  }
  const ind = md ? "  - " : "      ";
  return [head, ...c.fields.map((f) => `${ind}${f.field}: ${code(f.before)} → ${code(f.after)}`)];
}

/**
 * The audience rows worth showing: every segment and rule the change touches
 * (even when nobody moves: "no change" is an answer), and any other whose
 * members move (a rule using a changed segment).
 */
export function shownAudiences(r: DiffResult): AudienceDelta[] {
  const touched = new Set(r.changes.filter((c) => c.kind === "rule" || c.kind === "segment").map((c) => `${c.kind}:${c.name}`));
  return (r.impact?.audiences ?? []).filter((a) => touched.has(`${a.kind}:${a.name}`) || a.entering || a.leaving);
}

const perDay = (x: number) => `${x.toFixed(1)}/day`;
const signed = (x: number, digits = 0) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/**
 * The cap counts, with an edited cap's old and new line as one row (the
 * engine names a cap by its line, so the edit would otherwise show as two).
 */
function capRows(r: DiffResult): { reason: string; before: number; after: number }[] {
  const canon = (t: string) => t.replace(/\b(\d+(?:\.\d+)?[smhdw])\b/g, (d) => canonDuration(d));
  const full = (scope: string, rest: string) => (scope === "all channels" || scope === "gap" || scope.startsWith("pause") ? rest : `${scope}: ${rest}`);
  const rows = (r.impact?.messages?.capped ?? []).map((c) => ({ ...c, key: canon(c.reason) }));
  const out: { reason: string; before: number; after: number }[] = [];
  const used = new Set<string>();
  for (const c of r.changes) {
    if (c.kind !== "cap" || c.change !== "changed") continue;
    const f = c.fields[0]!;
    const [old, neu] = [full(c.name, f.before!), full(c.name, f.after!)];
    const a = rows.find((x) => x.key === old), b = rows.find((x) => x.key === neu);
    if (!a && !b) continue;
    used.add(old).add(neu);
    out.push({ reason: `${old} → ${neu}`, before: a?.before ?? 0, after: b?.after ?? 0 });
  }
  return [...out, ...rows.filter((x) => !used.has(x.key)).map(({ reason, before, after }) => ({ reason, before, after }))];
}

/** "capped by `email: max 3 per 7d`: stopped 15 → 17 messages in the 7 days replayed (+2, starts to bite)" */
function cappedLine(c: { reason: string; before: number; after: number }, days: number, md: boolean): string {
  const bite = c.before === 0 ? ", starts to bite" : c.after === 0 ? ", stops biting" : "";
  return `capped by ${md ? `\`${c.reason}\`` : c.reason}: stopped ${c.before} → ${c.after} message${c.after === 1 ? "" : "s"} in the ${days} days replayed (${signed(c.after - c.before)}${bite})`;
}

/** The text form. */
export function renderText(r: DiffResult): string {
  const out = [`playbook diff ${side(r.base)} → ${side(r.head)} · ${r.dir}`, summaryLine(r)];
  for (const kind of KIND_ORDER) {
    const cs = r.changes.filter((c) => c.kind === kind);
    if (!cs.length) continue;
    out.push("", PLURAL[kind]);
    for (const c of cs) out.push(...changeLines(c, false, r));
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
    const days = im.messages?.days ?? 7;
    for (const a of shownAudiences(r)) {
      out.push(`  ${a.kind} ${a.name}${basisText(a, days)}: ${a.before ?? "–"} → ${a.after ?? "–"} (+${a.entering} entering, -${a.leaving} leaving)${a.entering_sample.length ? ` e.g. +${a.entering_sample.join(", +")}` : ""}${a.leaving_sample.length ? ` e.g. -${a.leaving_sample.join(", -")}` : ""}`);
    }
    if (im.audiences.every((a) => a.entering === 0 && a.leaving === 0)) out.push("  nobody enters or leaves any segment or rule audience");
    if (im.messages) {
      out.push(`  messages per day by channel (the last ${im.messages.days} days replayed): before → after`);
      for (const m of im.messages.per_day) out.push(`    ${m.channel.padEnd(10)} ${perDay(m.before)} → ${perDay(m.after)} (${signed(m.after - m.before, 1)}/day)`);
      for (const c of capRows(r)) if (c.before !== c.after) out.push(`    ${cappedLine(c, im.messages.days, false)}`);
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
    for (const c of cs) out.push(...changeLines(c, true, r));
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
    const shown = shownAudiences(r);
    const days = im.messages?.days ?? 7;
    if (shown.length) {
      out.push("| audience | before | after | entering | leaving |", "| --- | ---: | ---: | ---: | ---: |");
      for (const a of shown) out.push(`| ${a.kind} \`${a.name}\`${basisText(a, days)} | ${a.before ?? "–"} | ${a.after ?? "–"} | +${a.entering} | -${a.leaving} |`);
    }
    if (im.audiences.every((a) => a.entering === 0 && a.leaving === 0)) out.push(...(shown.length ? [""] : []), "Nobody enters or leaves any segment or rule audience.");
    if (im.messages) {
      out.push("", `Messages per day by channel (the last ${im.messages.days} days replayed through the engine):`, "", "| channel | before | after | change |", "| --- | ---: | ---: | ---: |");
      for (const m of im.messages.per_day) out.push(`| ${m.channel} | ${perDay(m.before)} | ${perDay(m.after)} | ${signed(m.after - m.before, 1)}/day |`);
      const bite = capRows(r).filter((c) => c.before !== c.after);
      if (bite.length) out.push("", ...bite.map((c) => `- ${cappedLine(c, im.messages!.days, true)}`));
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
