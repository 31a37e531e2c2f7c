/**
 * PB305: a cadence whose own steps break a cap. The steps' send times follow
 * from their `after` delays alone, so a `gap` longer than the delay between two
 * steps, or more steps inside one window than a `max … per` allows (global,
 * `rule:` scope, or a channel every such step is bound to), will cap the later
 * steps for every customer. `topic:` caps do not count a cadence's own steps
 * (language.md), and a step with a fallback cascade may escape a channel cap, so
 * only steps with that single channel count against it.
 */
import type { Cap, Rule, Span, Workspace } from "../ast.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { diag } from "../resolver.ts";

/** `90000000` → `1d 1h`: durations as they are written. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0m";
  const units: [string, number][] = [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]];
  const parts: string[] = [];
  let rest = ms;
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${u}`);
    rest -= n * size;
  }
  return parts.join(" ") || `${ms}ms`;
}

/** Appends PB305 for every cadence and cap its steps break; at most one per (rule, cap). */
export function lintCadenceCaps(ws: Workspace, capText: (span: Span) => string, out: Diagnostic[]): void {
  for (const rule of ws.rules.values()) {
    const steps = rule.steps ?? [];
    if (!rule.isCadence || steps.length < 2) continue;
    const times: number[] = [];
    let t = 0;
    for (const s of steps) {
      t += s.after?.ms ?? 0;
      times.push(t);
    }
    for (const cap of ws.caps) checkCap(rule, cap, times, capText, out);
  }
}

function checkCap(rule: Rule, cap: Cap, times: number[], capText: (span: Span) => string, out: Diagnostic[]): void {
  const steps = rule.steps;
  const text = capText(cap.span);
  if (cap.kind === "gap") {
    for (let i = 1; i < steps.length; i++) {
      const d = times[i]! - times[i - 1]!;
      if (d < cap.duration.ms) {
        out.push(
          diag("PB305", `step ${i + 1} of "${rule.id}" comes ${formatDuration(d)} after step ${i}, but the cap "${text}" needs ${formatDuration(cap.duration.ms)}`, steps[i]!.after?.span ?? steps[i]!.span, `set after: ${formatDuration(cap.duration.ms).replace(/ /g, "")} or more`, [{ message: "the cap", span: cap.span }]),
        );
        return;
      }
    }
    return;
  }
  if (cap.kind !== "max") return;
  let idx: number[];
  if (cap.scope.kind === "all" || cap.scope.kind === "rule") idx = steps.map((_, i) => i);
  else if (cap.scope.kind === "channel") {
    const ch = cap.scope.channel;
    idx = steps.map((s, i) => ((s.channels ?? []).length > 0 && s.channels.every((c) => c.name === ch) ? i : -1)).filter((i) => i >= 0);
  } else return;
  for (let j = 0; j < idx.length; j++) {
    const tj = times[idx[j]!]!;
    const inWindow = idx.filter((i) => times[i]! > tj - cap.per.ms && times[i]! <= tj);
    if (inWindow.length > cap.count) {
      const first = inWindow[0]! + 1;
      const last = idx[j]! + 1;
      const scope = cap.scope.kind === "channel" ? ` on ${cap.scope.channel}` : "";
      out.push(
        diag("PB305", `${inWindow.length} steps of "${rule.id}"${scope} (steps ${first}–${last}) fall within ${formatDuration(cap.per.ms)}, but the cap "${text}" allows ${cap.count}`, steps[idx[j]!]!.span, "space the steps out with after:, or the later ones will be capped", [{ message: "the cap", span: cap.span }]),
      );
      return;
    }
  }
}
