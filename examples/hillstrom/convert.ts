/**
 * Converts the Hillstrom e-mail experiment CSV into what `playbook report`
 * reads: customers, events (visits; orders with spend) and a decision log in
 * which the Mens/Womens E-Mail thirds are the treatment of `mens_email` /
 * `womens_email` and the No E-Mail third is the holdout of both.
 *
 *   npx tsx examples/hillstrom/convert.ts --out /tmp/hillstrom [--csv FILE]
 *
 * The source has no times: every customer enters at the campaign instant
 * (2008-03-03T09:00:00Z, an assumption) and each visit gets a time drawn
 * with a fixed seed inside the two weeks after; a conversion is an order ten
 * minutes after the visit, for the customer's spend. Same input → same files.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import seedrandom from "seedrandom";
import { splitCsvLine } from "../../experiments/read.ts";
import { decisionToJson, isoSeconds, type Decision } from "../../engine/decision.ts";

const here = dirname(fileURLToPath(import.meta.url));
/** The campaign instant every customer enters at. */
export const CAMPAIGN = Date.parse("2008-03-03T09:00:00Z");
const HOUR = 3_600_000;

/** One row of the source. */
export interface HillstromRow {
  recency: number; history_segment: string; history: number; mens: boolean; womens: boolean; zip_code: string;
  newbie: boolean; channel: string; segment: "Mens E-Mail" | "Womens E-Mail" | "No E-Mail"; visit: number; conversion: number; spend: number;
}

/** The CSV text: `/work/shared/data/hillstrom.csv` style, or the gzip copy kept beside this script. */
export function readSource(csvPath?: string): string {
  if (csvPath) return readFileSync(csvPath, "utf8");
  return gunzipSync(readFileSync(join(here, "hillstrom.csv.gz"))).toString("utf8");
}

/** Parses the source CSV (`history_segment` is quoted where it holds a comma). */
export function parseHillstrom(text: string): HillstromRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = splitCsvLine(lines[0]!);
  return lines.slice(1).map((l) => {
    const c = splitCsvLine(l);
    const v = (k: string) => c[head.indexOf(k)]!;
    return {
      recency: Number(v("recency")), history_segment: v("history_segment"), history: Number(v("history")), mens: v("mens") === "1",
      womens: v("womens") === "1", zip_code: v("zip_code"), newbie: v("newbie") === "1", channel: v("channel"),
      segment: v("segment") as HillstromRow["segment"], visit: Number(v("visit")), conversion: Number(v("conversion")), spend: Number(v("spend")),
    };
  });
}

const csvCell = (s: string | number | boolean) => (typeof s === "string" && /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : String(s));

/** Writes playbooks are static; this writes `data/customers.csv`, `data/events.csv` and `decisions.jsonl` under `out`. */
export function convert(rows: HillstromRow[], out: string): { customers: number; events: number; decisions: number } {
  mkdirSync(join(out, "data"), { recursive: true });
  const playbook = createHash("sha256").update(readFileSync(join(here, "playbooks/hillstrom.yaml"))).digest("hex");
  const rng = seedrandom("hillstrom");
  const customers = ["customer_id,recency,history_segment,history,mens,womens,zip_code,newbie,purchase_channel"];
  const events = ["customer_id,event,ts,order_id,amount"];
  const decisions: string[] = [];
  const at = isoSeconds(CAMPAIGN);
  rows.forEach((r, i) => {
    const id = `h${String(i + 1).padStart(5, "0")}`;
    customers.push([id, r.recency, r.history_segment, r.history, r.mens, r.womens, r.zip_code, r.newbie, r.channel].map(csvCell).join(","));
    // Draw for every row (not only visitors) so a row's times do not depend on the rows before it.
    const visitAt = CAMPAIGN + HOUR + Math.floor(rng() * (14 * 24 - 2)) * HOUR;
    if (r.visit) events.push(`${id},site_visit,${isoSeconds(visitAt)},,`);
    if (r.conversion) events.push(`${id},order_placed,${isoSeconds(visitAt + 10 * 60_000)},o${i + 1},${r.spend}`);
    const rules = r.segment === "Mens E-Mail" ? ["mens_email"] : r.segment === "Womens E-Mail" ? ["womens_email"] : ["mens_email", "womens_email"];
    for (const rule of rules) {
      const treated = r.segment !== "No E-Mail";
      const d: Decision = {
        customer_id: id, rule, step: 1, entry_id: `${rule}:${id}:${at}`, entered_at: at, variant: treated ? "treatment" : "holdout",
        status: treated ? "send" : "ghost", channel: "email", template: rule, topic: rule, send_at: at, reason: null, playbook,
      };
      decisions.push(decisionToJson(d));
    }
  });
  writeFileSync(join(out, "data/customers.csv"), customers.join("\n") + "\n");
  writeFileSync(join(out, "data/events.csv"), events.join("\n") + "\n");
  writeFileSync(join(out, "decisions.jsonl"), decisions.join("\n") + "\n");
  return { customers: rows.length, events: events.length - 1, decisions: decisions.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: "string", default: "hillstrom-out" }, csv: { type: "string" } } });
  const n = convert(parseHillstrom(readSource(values.csv)), resolve(values.out!));
  console.log(`wrote ${n.customers} customers, ${n.events} events, ${n.decisions} decisions to ${values.out}`);
}
