/**
 * `playbook test --coverage`: which branches of each rule the cases reached. The branches come
 * from the workspace (what can happen); what happened comes from the decision loop's own trace
 * (the hook `explain` uses, passed only when coverage is asked for) and the decision lines.
 * Like `opa test --coverage`, the rules and branches no case reaches are listed first.
 */
import type { Decision } from "../../engine/decision.ts";
import { capText } from "../../engine/runtime/caps.ts";
import type { AdvanceOptions } from "../../engine/runtime/customer.ts";
import type { Workspace } from "../../language/ast.ts";

/** One rule's branches, each with how many times the cases reached it. */
export interface RuleCoverage {
  rule: string;
  branches: { branch: string; hits: number }[];
}

/** The branches a rule has, in the order of a decision. Caps form a section of their own, `(caps)`. */
export function branchesOf(ws: Workspace): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of ws.rules.values()) {
    const b = new Map<string, number>();
    const add = (k: string) => b.set(k, 0);
    add("trigger fired");
    if (r.who) (add("who true"), add("who false"));
    if (r.unless) (add("unless true"), add("unless false"));
    const exits = r.exit ?? ws.defaults.exit;
    if (exits.length) add("exit");
    if ((r.holdout ?? ws.defaults.holdout) > 0) add("holdout");
    add("treatment");
    for (const s of r.steps) {
      const st = `step ${s.index}`;
      add(`${st} reached`);
      if (s.if) (add(`${st} if true`), add(`${st} if false`));
      if (s.unless) (add(`${st} unless true`), add(`${st} unless false`));
      for (const ch of s.channels) add(`${st} channel ${ch.name}`);
    }
    if (ws.defaults.sendHours) add("send hours moved");
    out.set(r.id, b);
  }
  const caps = new Map<string, number>();
  for (const c of ws.caps) caps.set(`stopped by ${capText(c)}`, 0);
  out.set("(caps)", caps);
  return out;
}

/** Collects hits over every case: `trace` goes to the decision loop, `decisions` gets each case's log. */
export function coverageCollector(ws: Workspace): { trace: NonNullable<AdvanceOptions["trace"]>; decisions: (ds: Decision[]) => void; result: () => RuleCoverage[] } {
  const all = branchesOf(ws);
  const hit = (rule: string, branch: string) => {
    const b = all.get(rule);
    if (b?.has(branch)) b.set(branch, b.get(branch)! + 1);
  };
  const trace: NonNullable<AdvanceOptions["trace"]> = (x, _at, check, detail) => {
    const tf = detail.endsWith("→ true") ? "true" : detail.endsWith("→ false") ? "false" : null;
    if (check === "candidate") {
      if (x.step === 1 && !x.entered && !x.waiting) hit(x.rule, "trigger fired");
      hit(x.rule, `step ${x.step} reached`);
    } else if ((check === "who" || check === "unless") && tf) hit(x.rule, `${check} ${tf}`);
    else if ((check === "step if" || check === "step unless") && tf) hit(x.rule, `step ${x.step} ${check.slice(5)} ${tf}`);
    else if (check === "holdout") hit(x.rule, detail.startsWith("holdout") ? "holdout" : "treatment");
    else if (check === "send hours" && detail.startsWith("outside")) hit(x.rule, "send hours moved");
    else if (check === "caps" || check.endsWith(" caps")) {
      const m = /^stopped by (.*?)(?: \(\d+ messages in history\))?$/.exec(detail);
      if (m) hit("(caps)", `stopped by ${m[1]}`);
    }
  };
  const decisions = (ds: Decision[]) => {
    for (const d of ds) {
      if (d.status === "exited") hit(d.rule, "exit");
      if ((d.status === "send" || d.status === "ghost") && d.channel) hit(d.rule, `step ${d.step} channel ${d.channel}`);
    }
  };
  const result = (): RuleCoverage[] => {
    const rules = [...all].map(([rule, b]) => ({ rule, branches: [...b].map(([branch, hits]) => ({ branch, hits })) }));
    for (const r of rules) r.branches.sort((a, b) => Number(a.hits > 0) - Number(b.hits > 0));
    const missed = (r: RuleCoverage) => r.branches.filter((b) => b.hits === 0).length;
    // Stable sort: rules with unreached branches first (most first), otherwise workspace order.
    return rules.sort((a, b) => missed(b) - missed(a));
  };
  return { trace, decisions, result };
}

/** The coverage table: one line per branch, unreached ones marked, rule by rule. */
export function coverageTable(cov: RuleCoverage[]): string {
  const out = ["coverage", ""];
  let total = 0;
  let reached = 0;
  for (const r of cov) {
    const n = r.branches.filter((b) => b.hits > 0).length;
    total += r.branches.length;
    reached += n;
    out.push(`${r.rule}  ${n}/${r.branches.length}`);
    for (const b of r.branches) out.push(`  ${b.hits ? "    " : "MISS"} ${b.branch.padEnd(34)} ${b.hits || ""}`.trimEnd());
  }
  out.push("", `${reached}/${total} branches reached (${total ? Math.floor((reached / total) * 100) : 100}%)`);
  return out.join("\n") + "\n";
}

/** The JSON form: the same list, with the totals. */
export function coverageJson(cov: RuleCoverage[]): { rules: RuleCoverage[]; reached: number; total: number } {
  const total = cov.reduce((s, r) => s + r.branches.length, 0);
  const reached = cov.reduce((s, r) => s + r.branches.filter((b) => b.hits > 0).length, 0);
  return { rules: cov, reached, total };
}
