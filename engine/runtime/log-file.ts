/**
 * Writing the decision log and the command summaries: JSON Lines in log
 * order, written to a temporary file and renamed, so a reader never sees
 * half a log and a killed run leaves no partial file under the final name.
 */
import { rename, writeFile } from "node:fs/promises";
import { decisionToJson, DECISION_STATUSES, type Decision } from "../decision.ts";
import type { TimezoneStats } from "./customers.ts";

/** The whole log as text (one JSON line per decision). */
export function logText(ds: readonly Decision[]): string {
  let s = "";
  for (const d of ds) s += decisionToJson(d) + "\n";
  return s;
}

/** Writes the log atomically (temp file + rename). */
export async function writeLog(path: string, ds: readonly Decision[]): Promise<void> {
  await writeLogText(path, logText(ds));
}

/** Writes a log's text atomically (temp file + rename). */
export async function writeLogText(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** `decisions: 12 (send 7, ghost 1, capped 2, …)` plus zone fallbacks, for stderr. */
export function decisionSummary(ds: readonly Decision[], tz: TimezoneStats): string {
  const n = new Map<string, number>();
  for (const d of ds) n.set(d.status, (n.get(d.status) ?? 0) + 1);
  const parts = DECISION_STATUSES.filter((s) => n.has(s)).map((s) => `${s} ${n.get(s)}`);
  const zones = tz.missing + tz.invalid > 0 ? `; time zone fell back to the default for ${tz.missing} customers without one and ${tz.invalid} with an unknown one` : "";
  return `decisions: ${ds.length}${parts.length ? ` (${parts.join(", ")})` : ""}${zones}\n`;
}
