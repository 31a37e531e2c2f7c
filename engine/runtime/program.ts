/**
 * Everything the runtime derives from a checked workspace once, before any
 * customer is looked at: the expression runner, caps split by scope, rules in
 * arbitration order, defaults resolved, and the workspace hash written into
 * every decision line.
 */
import { createHash } from "node:crypto";
import type { ExistsExpr, ExitEvent, Rule, Workspace } from "../../language/ast.ts";
import { planCaps, type CapPlan } from "./caps.ts";
import { exprRunner, type CompileFn, type ExprRunner } from "./expr.ts";
import { isValidTimezone, type SendHours } from "./timezone.ts";
import { formatWait as wait } from "./wait.ts";

/** The compiled program the runtime runs. */
export interface Program {
  ws: Workspace;
  exprs: ExprRunner;
  caps: CapPlan;
  /** Rules by priority descending, ties by rule id: the arbitration order. */
  rules: Rule[];
  rank: Map<string, number>;
  sendHours: SendHours | null;
  defaultTz: string;
  /** sha256 of the workspace files (path and text, sorted by path). */
  hash: string;
}

/** Compiles a workspace for the runtime with the given expression compiler. */
export function buildProgram(ws: Workspace, compile: CompileFn): Program {
  const rules = [...ws.rules.values()].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rank = new Map(rules.map((r, i) => [r.id, i] as const));
  return {
    ws,
    exprs: exprRunner(compile),
    caps: planCaps(ws),
    rules,
    rank,
    sendHours: ws.defaults.sendHours,
    defaultTz: isValidTimezone(ws.defaults.timezone) ? ws.defaults.timezone : "UTC",
    hash: workspaceHash(ws),
  };
}

/**
 * The `playbook` field of the log: sha256 over every file's path inside the
 * workspace folder and text, in that path's order. The path inside the folder,
 * not the path as shown, so the same workspace hashes alike from any folder.
 */
export function workspaceHash(ws: Workspace): string {
  const h = createHash("sha256");
  const named = ws.files.map((f) => ({ name: f.name ?? f.path, text: f.text }));
  for (const f of named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(f.name).update("\0").update(f.text).update("\0");
  }
  return h.digest("hex");
}

/** The rule's `expires` (ms), its own or the default. */
export function expiresOf(p: Program, r: Rule): number {
  return r.expires ?? p.ws.defaults.expires;
}

/**
 * The latest instants a step may still be decided (docs/language.md, "Semantics notes": `expires`
 * and `queue`). A rule's own `expires` bounds every step from the trigger, the queue included:
 * the queue ends at `min(due + queue, trigger + expires)`. Without one, the workspace default
 * counts from the step's due time and never cuts a queue short (`due + max(default, queue)`).
 * `bound` says which applied, for explain.
 */
export function deadlinesOf(p: Program, r: Rule, x: { enteredAt: number; planned: number }): { capDeadline: number; hoursDeadline: number; bound: string } {
  if (r.expires !== null) {
    const end = x.enteredAt + r.expires;
    return { capDeadline: Math.min(x.planned + r.queue, end), hoursDeadline: end, bound: `the rule's expires ${wait(r.expires)} after the trigger` };
  }
  const d = p.ws.defaults.expires;
  const bound = r.queue > d ? `its queue ${wait(r.queue)} after the due time, not cut short by defaults.expires ${wait(d)}` : `defaults.expires ${wait(d)} after the due time`;
  return { capDeadline: x.planned + r.queue, hoursDeadline: x.planned + Math.max(d, r.queue), bound };
}

/** The rule's exit events, its own, `none` (empty) or the default. */
export function exitOf(p: Program, r: Rule): ExitEvent[] {
  return r.exit ?? p.ws.defaults.exit;
}

const exitTests = new WeakMap<ExitEvent, ExistsExpr>();

/**
 * The condition that tells whether one exit event `x` (`EVENT where W`)
 * matches: `exists(EVENT where W within 1ms)`, evaluated with `now` at the
 * candidate event's instant, so the scan sees exactly the events of that
 * name at that instant. The checker resolved W's bare names as props of the
 * exit event (a where-scope, as in any event set), so W cannot be evaluated
 * on its own: inside an event set every evaluator (reference, compiled, the
 * scenario table's) binds them to the event under scan. Nested aggregates in
 * W see the customer's history up to the exit event (engine/README.md).
 */
export function exitTest(x: ExitEvent): ExistsExpr | null {
  if (!x.where) return null;
  let e = exitTests.get(x);
  if (!e) {
    e = { kind: "exists", event: x.event, eventSpan: x.eventSpan, where: x.where, within: { kind: "duration", ms: 1, raw: "1ms", span: x.span }, span: x.span };
    exitTests.set(x, e);
  }
  return e;
}
