/**
 * `playbook test --update`: the failing cases' `expect:` lists become the decision lines the
 * engine wrote, like a snapshot update. Only the text of each `expect:` value is replaced (its
 * place found from the YAML document's node ranges, as fmt finds what it rewrites), so every
 * other byte of the file — comments, layout, the other cases — stays as it was.
 */
import { stringify } from "yaml";
import type { Decision } from "../../engine/decision.ts";
import type { TestCase } from "../../language/test-files.ts";

/** One decision as an expectation: the fields a reader checks, nulls and the treatment arm left out. */
export function expectationOf(d: Decision, withCustomer: boolean): Record<string, string | number> {
  const o: Record<string, string | number> = {};
  if (withCustomer) o.customer = d.customer_id;
  o.rule = d.rule;
  o.step = d.step;
  o.status = d.status;
  if (d.channel !== null) o.channel = d.channel;
  if (d.send_at !== null) o.send_at = d.send_at;
  if (d.reason !== null) o.reason = d.reason;
  if (d.variant === "holdout") o.variant = "holdout";
  if (d.arm) o.arm = d.arm;
  return o;
}

/** The file's text with each given case's `expect:` replaced by its decisions. */
export function updateText(text: string, updates: { case: TestCase; decisions: Decision[] }[]): string {
  const edits = updates
    .filter((u) => u.case.expectAt)
    .map((u) => {
      const at = u.case.expectAt!;
      const pad = " ".repeat(at.indent + 2);
      const many = u.case.customers.size > 1;
      const lines = u.decisions.map((d) => `${pad}- ${stringify(expectationOf(d, many), { collectionStyle: "flow", lineWidth: 0 }).trimEnd()}`);
      // An empty log on the lines below keeps the line break: `expect:` then `[]` indented.
      const text = lines.length ? `${at.below ? "" : "\n"}${lines.join("\n")}` : at.below ? `${pad}[]` : " []";
      return { from: at.colonEnd, to: at.valueEnd, text };
    })
    .sort((a, b) => b.from - a.from);
  let out = text;
  for (const e of edits) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}
