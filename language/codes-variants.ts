import type { CodeInfo } from "./codes.ts";

/** Codes of message variants and holdout groups (issue 18 §1 and §5), PB0xx: the shape of a rule. */
export const VARIANT_CODES: CodeInfo[] = [
  { code: "PB019", name: "variant-weights", severity: "error", doc: "The weights of a `variants:` block must all be given (or all left out: equal shares) and add up to exactly 100%; the message gives the sum." },
  { code: "PB020", name: "variant-shape", severity: "error", doc: "A `variants:` block needs at least two arms, and a rule has arms in one place only: rule-level `variants:` (instead of `send:`/`steps:`) or the content `variants:` of one step (instead of its `template:`)." },
  { code: "PB021", name: "holdout-group-mismatch", severity: "error", doc: "Rules of one `holdout_group` hold out the same customers, so they must give the same holdout share and no salt of their own; the note points at the first rule of the group." },
];
