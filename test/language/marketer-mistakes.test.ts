/**
 * The marketer's first hour (issue 19, items 6–9): everyday mistakes made in
 * a copy of the example workspace, each with exactly what \`playbook check\`
 * prints for it, minus what the unmodified example already prints. One cause,
 * one diagnostic, naming the cause and the fix.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadWorkspaceFromFiles, parseExpression } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { renderDiagnostics } from "../../language/render.ts";
import type { Diagnostic } from "../../language/diagnostics.ts";

const SHOP = fileURLToPath(new URL("../../playbooks/shop/", import.meta.url));
const BASE = ["lifecycle.yaml", "policy.yaml", "retention.yaml"].map((path) => ({ path, text: readFileSync(SHOP + path, "utf8") }));
const key = (d: Diagnostic) => `${d.code}|${d.span?.file}|${d.message}`;

function diagnose(files: { path: string; text: string }[]) {
  const { workspace, diagnostics } = loadWorkspaceFromFiles("shop", files);
  const all = diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)];
  return { workspace, all };
}
const baseline = new Set(diagnose(BASE).all.map(key));

/** What check prints for the example with `from` replaced by `to` in `file` (a new file when it is not one of the example's). */
function render(file: string, from: string, to: string): string {
  const known = BASE.some((f) => f.path === file);
  const files = known ? BASE.map((f) => (f.path === file ? { ...f, text: f.text.replace(from, to) } : f)) : [...BASE, { path: file, text: to }];
  if (known) expect(files.find((f) => f.path === file)!.text, "the mutation applies").not.toBe(BASE.find((f) => f.path === file)!.text);
  const { workspace, all } = diagnose(files);
  return renderDiagnostics(all.filter((d) => !baseline.has(key(d))), workspace.files);
}

const CASES: { name: string; file: string; from: string; to: string; expected: string }[] = [
  {
    name: "a tab in the indentation is one PB013 on its line",
    file: "lifecycle.yaml",
    from: "    priority: 80",
    to: "\tpriority: 80",
    expected: "lifecycle.yaml:34:1: error PB013: indent with spaces, not a tab\n  34 |  priority: 80\n     | ^\n  hint: YAML allows only spaces in indentation; replace the tab with spaces (2 per level)\n",
  },
  {
    name: "a rule pasted twice names the rule and the first place",
    file: "lifecycle.yaml",
    from: "  review_request:\n",
    to: "  birthday:\n    on: anniversary of birthday\n    who: first_name != null\n    priority: 80\n    expires: 12h                # on the day, never a day late\n    send:\n      channel: [email, sms]\n      template: birthday_gift\n      offer: { code: BDAY15, cost: 390 }   # 15% off a 2,600 ₽ basket, per redemption\n    holdout: 10%                # 5% of a few hundred birthdays a fortnight is a handful: no comparison\n\n  review_request:\n",
    expected: "lifecycle.yaml:42:3: error PB006: rule \"birthday\" is defined twice (first at 31:3)\n  42 |   birthday:\n     |   ^~~~~~~~\n  note: first defined here (lifecycle.yaml:31:3)\n",
  },
  {
    name: "a key given twice in one map",
    file: "lifecycle.yaml",
    from: "    priority: 80\n",
    to: "    priority: 80\n    priority: 70\n",
    expected: "lifecycle.yaml:35:5: error PB006: \"priority\" is given twice in this map (first at 34:5)\n  35 |     priority: 70\n     |     ^~~~~~~~\n  hint: keep one of them\n  note: first given here (lifecycle.yaml:34:5)\n",
  },
  {
    name: "an alias is one PB014, not a shape error",
    file: "lifecycle.yaml",
    from: "    send:\n      channel: [email, sms]\n      template: birthday_gift\n      offer: { code: BDAY15, cost: 390 }   # 15% off a 2,600 ₽ basket, per redemption\n    holdout: 10%                # 5% of a few hundred birthdays a fortnight is a handful: no comparison\n\n  review_request:\n    on: 14d after order_delivered\n    unless: cart_abandoned within 1d\n    priority: 20\n    exit: none\n    send: { channel: [push, email], template: review_request }",
    to: "    send: &gift\n      channel: [email, sms]\n      template: birthday_gift\n      offer: { code: BDAY15, cost: 390 }   # 15% off a 2,600 ₽ basket, per redemption\n    holdout: 10%                # 5% of a few hundred birthdays a fortnight is a handful: no comparison\n\n  review_request:\n    on: 14d after order_delivered\n    unless: cart_abandoned within 1d\n    priority: 20\n    exit: none\n    send: *gift",
    expected: "lifecycle.yaml:47:11: error PB014: YAML aliases are not supported here: write the step out\n  47 |     send: *gift\n     |           ^~~~~\n  hint: *gift repeats the value anchored as &gift; a playbook spells every value where it applies, so a reviewer sees it\n",
  },
  {
    name: "= is use ==",
    file: "lifecycle.yaml",
    from: "who: first_name != null",
    to: "who: first_name = null",
    expected: "lifecycle.yaml:33:21: error PB015: \"=\" is not an operator here: use == to compare\n  33 |     who: first_name = null\n     |                     ^\n",
  },
  {
    name: "&& is use and",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f",
    to: "who: consent_push && rfm.f",
    expected: "lifecycle.yaml:59:23: error PB015: \"&&\" is not an operator here: use and / or (here \"and\")\n  59 |     who: consent_push && rfm.f != null\n     |                       ^~\n",
  },
  {
    name: "|| is use or",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f",
    to: "who: consent_push || rfm.f",
    expected: "lifecycle.yaml:59:23: error PB015: \"||\" is not an operator here: use and / or (here \"or\")\n  59 |     who: consent_push || rfm.f != null\n     |                       ^~\n",
  },
  {
    name: "AND is lower case",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f",
    to: "who: consent_push AND rfm.f",
    expected: "lifecycle.yaml:59:23: error PB015: keywords are lower case: write \"and\", not \"AND\"\n  59 |     who: consent_push AND rfm.f != null\n     |                       ^~~\n",
  },
  {
    name: "TRUE is lower case",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f != null",
    to: "who: consent_push == TRUE",
    expected: "lifecycle.yaml:59:26: error PB101: unknown name \"TRUE\"\n  59 |     who: consent_push == TRUE\n     |                          ^~~~\n  hint: keywords are lower case: write true\n",
  },
  {
    name: "an unclosed ( points at the (",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f != null",
    to: "who: consent_push and (rfm.f != null or rfm.r > 2",
    expected: "lifecycle.yaml:59:27: error PB010: this \"(\" is never closed\n  59 |     who: consent_push and (rfm.f != null or rfm.r > 2\n     |                           ^\n  hint: add \")\" where the group ends\n",
  },
  {
    name: "an unknown name compared with a string is the string",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f != null",
    to: "who: consent_push and city == Moscow",
    expected: "lifecycle.yaml:59:35: error PB101: unknown name \"Moscow\"\n  59 |     who: consent_push and city == Moscow\n     |                                   ^~~~~~\n  hint: did you mean the string \"Moscow\"? write it in quotes: \"Moscow\"\n",
  },
  {
    name: "an unknown name in a list of strings is a string",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f != null",
    to: "who: city in [\"Kazan\", Moscow]",
    expected: "lifecycle.yaml:59:28: error PB101: unknown name \"Moscow\"\n  59 |     who: city in [\"Kazan\", Moscow]\n     |                            ^~~~~~\n  hint: did you mean the string \"Moscow\"? write it in quotes: \"Moscow\"\n",
  },
  {
    name: "a Cyrillic letter that looks Latin is named",
    file: "lifecycle.yaml",
    from: "who: consent_push and rfm.f != null",
    to: "who: consent_push and сity == \"Moscow\"",
    expected: "lifecycle.yaml:59:27: error PB011: unexpected character \"с\" (U+0441 CYRILLIC SMALL LETTER ES) in expression\n  59 |     who: consent_push and сity == \"Moscow\"\n     |                           ^\n  hint: it looks like the Latin \"c\" but is not; retype it with a Latin keyboard layout\n",
  },
  {
    name: "a Cyrillic segment name is refused where defined",
    file: "retention.yaml",
    from: "  champions:",
    to: "  чемпионы: rfm.r >= 5\n  champions:",
    expected: "retention.yaml:4:3: error PB016: segment name \"чемпионы\" has \"ч\" (U+0447 CYRILLIC SMALL LETTER CHE); names are written with ASCII letters, digits and _\n  4 |   чемпионы: rfm.r >= 5\n    |   ^~~~~~~~\n  hint: names are written with Latin letters, digits and _; text in other scripts goes inside quotes\n",
  },
  {
    name: "a rule id with a hyphen is refused",
    file: "lifecycle.yaml",
    from: "  birthday:\n",
    to: "  birth-day:\n",
    expected: "lifecycle.yaml:31:3: error PB016: rule name \"birth-day\" can only have ASCII letters, digits and _, and cannot start with a digit\n  31 |   birth-day:\n     |   ^~~~~~~~~\n  hint: e.g. \"birth_day\"\n",
  },
  {
    name: "holdout: 0.1 is 10%",
    file: "lifecycle.yaml",
    from: "holdout: 10%                # 5% of a few hundred birthdays a fortnight is a handful: no comparison",
    to: "holdout: 0.1",
    expected: "lifecycle.yaml:40:14: error PB004: holdout must be a percentage like 10%\n  40 |     holdout: 0.1\n     |              ^~~\n  hint: did you mean 10%?\n",
  },
  {
    name: "holdout: 10 is 10%",
    file: "lifecycle.yaml",
    from: "holdout: 10%                # 5% of a few hundred birthdays a fortnight is a handful: no comparison",
    to: "holdout: 10",
    expected: "lifecycle.yaml:40:14: error PB004: holdout must be a percentage like 10%\n  40 |     holdout: 10\n     |              ^~\n  hint: did you mean 10%?\n",
  },
  {
    name: "holdout: 0.1% is unusually small",
    file: "lifecycle.yaml",
    from: "holdout: 10%                # 5% of a few hundred birthdays a fortnight is a handful: no comparison",
    to: "holdout: 0.1%",
    expected: "lifecycle.yaml:40:14: warning PB311: the holdout of \"birthday\" is 0.1%: unusually small, too few customers held out to measure anything\n  40 |     holdout: 0.1%\n     |              ^~~~\n  hint: did you mean 10%? holdouts of 5–20% are usual; write 0% for no holdout\n",
  },
  {
    name: "an en dash in send_hours",
    file: "policy.yaml",
    from: "09:00-21:00",
    to: "09:00–21:00",
    expected: "policy.yaml:31:15: error PB004: send_hours uses \"–\" (U+2013 EN DASH) between the times; use a hyphen\n  31 |   send_hours: 09:00–21:00       # nothing goes out at night, customer's local time\n     |               ^~~~~~~~~~~\n  hint: write 09:00-21:00\n",
  },
  {
    name: "overnight send_hours",
    file: "policy.yaml",
    from: "09:00-21:00",
    to: "21:00-09:00",
    expected: "policy.yaml:31:15: warning PB312: send_hours 21:00-09:00 runs across midnight: messages go out at night, from 21:00 to 09:00\n  31 |   send_hours: 21:00-09:00       # nothing goes out at night, customer's local time\n     |               ^~~~~~~~~~~\n  hint: for daytime sending write 09:00-21:00\n",
  },
  {
    name: "a misspelt time zone",
    file: "policy.yaml",
    from: "Europe/Moscow",
    to: "Europe/Moskow",
    expected: "policy.yaml:30:13: error PB004: unknown time zone \"Europe/Moskow\"\n  30 |   timezone: Europe/Moskow\n     |             ^~~~~~~~~~~~~\n  hint: did you mean \"Europe/Moscow\"?\n",
  },
  {
    name: "an abbreviation for a time zone",
    file: "policy.yaml",
    from: "Europe/Moscow",
    to: "MSK",
    expected: "policy.yaml:30:13: error PB004: unknown time zone \"MSK\"\n  30 |   timezone: MSK\n     |             ^~~\n  hint: did you mean \"Europe/Moscow\"?\n",
  },
  {
    name: "a quoted priority",
    file: "lifecycle.yaml",
    from: "priority: 80",
    to: "priority: \"80\"",
    expected: "lifecycle.yaml:34:15: error PB004: priority must be a number\n  34 |     priority: \"80\"\n     |               ^~~~\n  hint: remove the quotes: write 80\n",
  },
  {
    name: "a quoted boolean",
    file: "lifecycle.yaml",
    from: "    priority: 80\n",
    to: "    priority: 80\n    exclusive: \"true\"\n",
    expected: "lifecycle.yaml:35:16: error PB004: exclusive must be true or false\n  35 |     exclusive: \"true\"\n     |                ^~~~~~\n  hint: remove the quotes: write true\n",
  },
  {
    name: "equal priorities competing for a cap",
    file: "lifecycle.yaml",
    from: "priority: 80",
    to: "priority: 90",
    expected: "lifecycle.yaml:18:15: warning PB313: rules \"birthday\" and \"cart_recovery\" both have priority 90 and compete for cap \"email: max 3 per 7d\": their rule ids decide, \"birthday\" goes first\n  18 |     priority: 90\n     |               ^~\n  hint: give the one that matters more a higher priority\n  note: \"birthday\" has priority 90 (lifecycle.yaml:34:15)\n",
  },
  {
    name: "equal priorities competing for a topic",
    file: "retention.yaml",
    from: "    priority: 10\n",
    to: "    priority: 40\n",
    expected: "retention.yaml:15:15: warning PB313: rules \"hibernating_nudge\" and \"vip_preview\" both have priority 40 and compete for topic \"promo\" (cap \"topic: max 1 per 3d\"): their rule ids decide, \"hibernating_nudge\" goes first\n  15 |     priority: 40\n     |               ^~\n  hint: give the one that matters more a higher priority\n  note: \"hibernating_nudge\" has priority 40 (retention.yaml:36:15)\n",
  },
  {
    name: "a trigger filter that can never hold",
    file: "lifecycle.yaml",
    from: "cart_value >= 1000",
    to: "cart_value >= 1000 and cart_value < 500",
    expected: "lifecycle.yaml:16:30: error PB304: the trigger filter of rule \"cart_recovery\" can never hold: \"cart_value >= 1000\" and \"cart_value < 500\" cannot both be true\n  16 |     on: cart_abandoned where cart_value >= 1000 and cart_value < 500\n     |                              ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n  hint: this rule would never fire\n  note: \"cart_value >= 1000\" (lifecycle.yaml:16:30)\n  note: \"cart_value < 500\" (lifecycle.yaml:16:53)\n",
  },
  {
    name: "an empty file",
    file: "empty.yaml",
    from: "",
    to: "# nothing here yet\n",
    expected: "empty.yaml:1:1: warning PB017: this file is empty\n  1 | # nothing here yet\n    | ^\n  hint: delete it, or add a section (schema, rules, …)\n",
  },
  {
    name: "a duration with its unit spelt out",
    file: "lifecycle.yaml",
    from: "      - after: 2d\n",
    to: "      - after: 2 days\n",
    expected: "lifecycle.yaml:10:16: error PB004: after must be a duration like 15m, 12h, 3d or 2w\n  10 |       - after: 2 days\n     |                ^~~~~~\n  hint: write 2d\n",
  },
  {
    name: "a percentage with a space before %",
    file: "lifecycle.yaml",
    from: "holdout: 10%                # 5% of a few hundred birthdays a fortnight is a handful: no comparison",
    to: "holdout: 5 %",
    expected: "lifecycle.yaml:40:14: error PB004: holdout must be a percentage like 10%\n  40 |     holdout: 5 %\n     |              ^~~\n  hint: write 5%\n",
  },
  {
    name: "send_hours without minutes",
    file: "policy.yaml",
    from: "09:00-21:00",
    to: "9-21",
    expected: "policy.yaml:31:15: error PB004: send_hours must look like 09:00-21:00\n  31 |   send_hours: 9-21       # nothing goes out at night, customer's local time\n     |               ^~~~\n  hint: write 09:00-21:00\n",
  },
];

describe("the marketer's mistakes get one diagnostic each, with the fix", () => {
  it("the unmodified example has no errors", () => expect(diagnose(BASE).all.filter((d) => d.severity === "error")).toEqual([]));
  for (const c of CASES) it(c.name, () => expect(render(c.file, c.from, c.to)).toBe(c.expected));
});

describe("operators of other languages, one expression at a time", () => {
  const first = (text: string) => {
    const d = parseExpression(text, "x.yaml").diagnostics[0]!;
    return `${d.span!.col}-${d.span!.endCol} ${d.code} ${d.message}`;
  };
  it("=> and =< are >= and <=", () => {
    expect(first("count(order_placed) => 2")).toBe('21-23 PB015 "=>" is not an operator here: use >= for greater or equal');
    expect(first("count(order_placed) =< 2")).toBe('21-23 PB015 "=<" is not an operator here: use <= for less or equal');
  });
  it("! alone is not; & and | alone are and / or", () => {
    expect(first("!consent_email")).toBe('1-2 PB015 "!" is not an operator here: use "not" to negate, != to compare');
    expect(first("a & b")).toBe('3-4 PB015 "&" is not an operator here: use and / or (here "and")');
    expect(first("a | b")).toBe('3-4 PB015 "|" is not an operator here: use and / or (here "or")');
  });
  it("an upper-case keyword anywhere a keyword goes", () => {
    expect(first("a OR b")).toBe('3-5 PB015 keywords are lower case: write "or", not "OR"');
    expect(first("city NOT IN [\"a\"]")).toBe('6-9 PB015 keywords are lower case: write "not", not "NOT"');
  });
  it("an unclosed [ points at the [", () => {
    expect(first('city in ["a", "b"')).toBe('9-10 PB010 this "[" is never closed');
  });
  it("a no-break space and a typographic quote are named", () => {
    expect(first("a\u00a0and b")).toBe('2-3 PB011 unexpected character "\u00a0" (U+00A0 NO-BREAK SPACE) in expression');
    expect(first("city == \u201cMoscow\u201d")).toBe('9-10 PB011 unexpected character "\u201c" (U+201C LEFT DOUBLE QUOTATION MARK) in expression');
  });
});

describe("an upper-case keyword before what it governs", () => {
  it("NOT at the start is named, not the name after it", () => {
    const d = parseExpression("NOT consent_email", "x.yaml").diagnostics[0]!;
    expect(`${d.span!.col}-${d.span!.endCol} ${d.code} ${d.message}`).toBe('1-4 PB015 keywords are lower case: write "not", not "NOT"');
  });
});
