/**
 * The decision log's line (contract.md, "The decision log"). One per candidate
 * message; the key order here is the order written, so logs are byte-stable.
 */
export type DecisionStatus =
  | "send"
  | "ghost"
  | "capped"
  | "deferred"
  | "suppressed"
  | "no_channel"
  | "missing_field"
  | "expired"
  | "exited"
  | "blocked";

export const DECISION_STATUSES: readonly DecisionStatus[] = [
  "send", "ghost", "capped", "deferred", "suppressed", "no_channel", "missing_field", "expired", "exited", "blocked",
];

export interface Decision {
  customer_id: string;
  rule: string;
  /** 1-based step of the rule. */
  step: number;
  /** `<rule>:<customer>:<entered_at ISO>` */
  entry_id: string;
  /** ISO 8601 UTC with `Z`, second precision. */
  entered_at: string;
  variant: "treatment" | "holdout";
  /**
   * The arm of a rule with `variants` (issue 18; contract.md: an addition), on held-out lines
   * too (the journey the ghost stands for); null when the rule has no variants.
   */
  arm?: string | null;
  status: DecisionStatus;
  channel: string | null;
  template: string | null;
  topic: string | null;
  /** When it goes (or would have gone) out; null when it never would. */
  send_at: string | null;
  /** Which cap, condition or field; how long a queued message waited. */
  reason: string | null;
  /** sha256 of the compiled workspace. */
  playbook: string;
}

/**
 * The final decisions of logs read in order (one run's log after another's): a
 * `deferred` line is provisional (docs/language.md "Semantics notes", "A queued
 * message across runs"), so it is dropped once a later line of the same
 * candidate (`entry_id` and `step`) settles it; a `deferred` line nothing settles
 * yet is kept (the message still waits). Every other line is final and kept.
 */
export function settledDecisions<D extends Pick<Decision, "entry_id" | "step" | "status">>(lines: readonly D[]): D[] {
  const settled = new Set<string>();
  for (const d of lines) if (d.status !== "deferred") settled.add(`${d.step} ${d.entry_id}`);
  return lines.filter((d) => d.status !== "deferred" || !settled.has(`${d.step} ${d.entry_id}`));
}

/** Serializes one decision as a JSON line with the contract's key order. */
export function decisionToJson(d: Decision): string {
  return JSON.stringify({
    customer_id: d.customer_id,
    rule: d.rule,
    step: d.step,
    entry_id: d.entry_id,
    entered_at: d.entered_at,
    variant: d.variant,
    arm: d.arm ?? null,
    status: d.status,
    channel: d.channel,
    template: d.template,
    topic: d.topic,
    send_at: d.send_at,
    reason: d.reason,
    playbook: d.playbook,
  });
}

/** ISO 8601 UTC, second precision, as the log writes times. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * ISO 8601 UTC as the log writes instants (`entered_at`, `send_at`, the time
 * in `entry_id`): whole seconds as `2026-11-20T10:00:00Z`, and milliseconds
 * only when there are some (`2026-11-20T10:00:00.500Z`), so two entries of a
 * rule in one second have two ids while every id at a whole second stays as
 * it was (docs/language.md, "Semantics notes").
 */
export function isoInstant(ms: number): string {
  return ms % 1000 === 0 ? isoSeconds(ms) : new Date(ms).toISOString();
}
