/**
 * The check bench's generated workspace: 2,000 rules and 500 segments over 20
 * files and a policy file, seeded (every run makes the same text). Used by
 * `npm run bench -- check` and `npm run bench -- lsp`.
 */
import seedrandom from "seedrandom";
import type { SourceFile } from "../../language/ast.ts";

export const RULES = 2000;
const SEGMENTS = 500;
const FILES = 20;

/** The generated workspace: one policy file and FILES files of segments and rules. */
export function generateWorkspace(seed = "check-bench"): SourceFile[] {
  const rnd = seedrandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const attrs = Array.from({ length: 20 }, (_, i) => `score_${i}`);
  const events = Array.from({ length: 20 }, (_, i) => `event_${i}`);
  const policy = [
    "schema:",
    "  customer:",
    "    first_name: string?",
    "    email: string?",
    "    city: string?",
    "    consent_email: bool",
    "    consent_push: bool",
    "    registered_at: datetime",
    ...attrs.map((a) => `    ${a}: number?`),
    "  events:",
    "    order_placed: { order_id: string, amount: number }",
    ...events.map((e) => `    ${e}: { value: number, kind: string }`),
    "defaults:",
    "  timezone: Europe/Moscow",
    "  holdout: 10%",
    "  goal: order_placed",
    "  expires: 1d",
    "channels:",
    "  email: { requires: consent_email and email != null, cost: 0.002 }",
    "  push: { requires: consent_push, cost: 0.001 }",
    "caps:",
    "  - max 3 per 1d",
    "  - topic: max 1 per 3d",
    "rfm:",
    "  event: order_placed",
    "  value: amount",
    "  window: 365d",
    "  scores: 5",
    "templates:",
    "  plain: { fields: [] }",
    "  named: { fields: [first_name] }",
    "",
  ].join("\n");
  const files: SourceFile[] = [{ path: "policy.yaml", text: policy }];
  const cond = (): string => {
    const ev = pick(events);
    return pick([
      () => `${pick(attrs)} >= ${int(0, 50)}`,
      () => `count(${ev} where kind == "k${int(0, 9)}" within ${int(1, 90)}d) > ${int(0, 3)}`,
      () => `rfm.r >= ${int(1, 3)}`,
      () => `days_since(registered_at) <= ${int(10, 400)}`,
      () => `sum(${ev}.value within 30d) > ${int(10, 1000)}`,
      () => `city in ["Moscow", "Kazan", "Perm"]`,
      () => `(${pick(attrs)} ?? 0) + ${int(1, 9)} < ${int(10, 99)}`,
    ])();
  };
  const perFile = (n: number, f: number) => Math.floor((n * (f + 1)) / FILES) - Math.floor((n * f) / FILES);
  let seg = 0;
  let rule = 0;
  for (let f = 0; f < FILES; f++) {
    const lines = ["segments:"];
    for (let i = 0; i < perFile(SEGMENTS, f); i++, seg++) {
      const parts = [cond(), cond()];
      if (seg > 0 && rnd() < 0.5) parts.push(`seg_${int(0, seg - 1)}`);
      lines.push(`  seg_${seg}: ${parts.join(" and ")}`);
    }
    lines.push("rules:");
    for (let i = 0; i < perFile(RULES, f); i++, rule++) {
      const ev = pick(events);
      const on = pick([`${ev} where value > ${int(1, 100)}`, `enter seg_${int(0, SEGMENTS - 1)}`, "every monday at 10:00", `${int(1, 14)}d after ${ev}`]);
      const byEvent = !on.startsWith("enter") && !on.startsWith("every");
      lines.push(`  rule_${rule}:`, `    on: ${on}`);
      lines.push(`    who: seg_${int(0, SEGMENTS - 1)} and ${byEvent ? `kind != "spam" and ` : ""}${cond()}`);
      lines.push(`    priority: ${int(0, 100)}`, `    holdout: ${int(0, 20)}%`);
      if (rnd() < 0.3) {
        lines.push("    steps:", "      - channel: [push, email]", "        template: plain", `      - after: ${int(2, 5)}d`, "        unless: opened(previous)", "        channel: email", "        template: plain");
      } else {
        lines.push(`    send: { channel: email, template: plain }`);
      }
    }
    files.push({ path: `part_${String(f).padStart(2, "0")}.yaml`, text: lines.join("\n") + "\n" });
  }
  return files;
}
