/**
 * From a workspace folder and a data folder to what the decision loop needs,
 * for the commands (`run`, `simulate`, `explain`).
 * Problems in the workspace come back as rendered diagnostics, problems with
 * the data as `InputError`s with their exit code, never as stack traces.
 */
import type { Diagnostic } from "../../language/diagnostics.ts";
import type { Expr } from "../../language/ast.ts";
import { loadWorkspace } from "../../language/index.ts";
import { checkWorkspace } from "../../language/check.ts";
import { renderDiagnostics } from "../../language/render.ts";
import { compileExpr } from "../compile/closure.ts";
import type { EventRecord, RfmScores, Value } from "../../language/values.ts";
import { fitRfmBounds, rfmInput, scoreRfm, type RfmInput } from "../rfm.ts";
import { buildProgram, type Program } from "./program.ts";
import { advance, type TimedDecision } from "./customer.ts";
import { resolveTimezone, timezoneStats, type TimezoneStats } from "./customers.ts";
import { sortDecisions } from "./order.ts";
import { emptyState, type CustomerState } from "./state.ts";
import { DataError, findDataFile, openReader, readCustomers, streamEvents, type BadRow, type RowCounts } from "./read.ts";

/** Why the inputs could not be prepared: text for stderr and the exit code. */
export class InputError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** Loads, checks and compiles a workspace; errors come back as rendered diagnostics (exit 1). */
export async function loadProgram(dir: string): Promise<{ program: Program; warnings: string }> {
  const { workspace, diagnostics } = await loadWorkspace(dir);
  const all = diagnostics.some((d) => d.severity === "error") ? diagnostics : [...diagnostics, ...checkWorkspace(workspace)];
  const text = (ds: Diagnostic[]) => (ds.length === 0 ? "" : renderDiagnostics(ds, workspace.files, { color: false }));
  const errors = all.filter((d) => d.severity === "error");
  if (errors.length) throw new InputError(text(errors), 1);
  return { program: buildProgram(workspace, (e: Expr) => compileExpr(e, workspace)), warnings: text(all.filter((d) => d.severity !== "error")) };
}

/**
 * RFM as of the end of the run (`to`), scored per customer from their events.
 * Quantile bounds need every customer's window first, so when the workspace
 * leaves a dimension without explicit bounds the events are streamed once
 * more beforehand (counted nowhere: the real pass reports rows and bad rows).
 */
async function rfmForRun(
  con: Awaited<ReturnType<typeof openReader>>["con"], p: Program, eventsPath: string | null, customers: Map<string, Record<string, Value>>, to: number,
): Promise<(events: readonly EventRecord[]) => RfmScores | null> {
  const cfg = p.ws.rfm;
  if (!cfg || !cfg.event) return () => null;
  const inputs: RfmInput[] = [];
  if (eventsPath && (!cfg.recency || !cfg.frequency || !cfg.monetary)) {
    const scratch: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
    await streamEvents(con, p.ws, eventsPath, customers, to, [], scratch, (_id, evs) => void inputs.push(rfmInput(cfg, evs, to)));
  }
  const bounds = fitRfmBounds(cfg, inputs, to);
  return (events) => scoreRfm(cfg, bounds, rfmInput(cfg, events, to), to);
}

/** Where the data is. */
export interface DataSource {
  dir?: string;
  customers?: string;
  events?: string;
}

/** What deciding a window over files produced. */
export interface FileRunResult {
  decisions: TimedDecision[];
  bad: BadRow[];
  counts: RowCounts;
  timezones: TimezoneStats;
}

/**
 * Decides `(from, to]` for every customer of the data, streaming the events
 * customer by customer; `states` is read and updated. With `only`, just that
 * customer is decided and `onCustomer` receives their inputs (explain).
 */
export async function decideFromFiles(
  p: Program, src: DataSource, states: Map<string, CustomerState>, from: number, to: number, reportDeferred: boolean,
  only?: { id: string; onCustomer: (attrs: Record<string, Value>, events: EventRecord[], tz: string, rfm: RfmScores | null) => void },
): Promise<FileRunResult> {
  const customersPath = src.customers ?? (src.dir ? findDataFile(src.dir, "customers") : null);
  const eventsPath = src.events ?? (src.dir ? findDataFile(src.dir, "events") : null);
  if (!customersPath) throw new InputError(`playbook: no customers.csv/.jsonl/.parquet in ${src.dir ?? "(no --data)"}\n`, 2);
  const bad: BadRow[] = [];
  const counts: RowCounts = { customers: { read: 0, used: 0, rejected: 0 }, events: { read: 0, used: 0, rejected: 0 } };
  const timezones = timezoneStats();
  const decisions: TimedDecision[] = [];
  const { con, close } = await openReader();
  try {
    const customers = await readCustomers(con, p.ws, customersPath, bad, counts);
    const rfmOf = await rfmForRun(con, p, eventsPath, customers, to);
    const done = new Set<string>();
    const decide = (id: string, events: EventRecord[]) => {
      if (only && id !== only.id) return;
      const attrs = customers.get(id);
      if (!attrs) return;
      done.add(id);
      const tz = resolveTimezone(attrs, p.defaultTz, timezones);
      if (only) return only.onCustomer(attrs, events, tz, rfmOf(events));
      const state = states.get(id) ?? emptyState();
      for (const d of advance(p, { id, attrs, events, tz, rfm: rfmOf(events) }, state, from, to, { reportDeferred })) decisions.push(d);
      if (state.history.length || state.pending.length || state.activeCadence || Object.keys(state.segments).length) states.set(id, state);
    };
    if (eventsPath) await streamEvents(con, p.ws, eventsPath, customers, to, bad, counts, decide);
    for (const id of [...customers.keys()].sort()) if (!done.has(id)) decide(id, []);
  } catch (e) {
    if (e instanceof DataError) throw new InputError(`playbook: ${e.message}\n`, 2);
    // DuckDB reports unreadable files (bad CSV, missing file) as errors: I/O trouble, exit 2.
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError)) throw new InputError(`playbook: cannot read the data: ${e.message.split("\n")[0]}\n`, 2);
    throw e;
  } finally {
    close();
  }
  return { decisions: sortDecisions(decisions), bad, counts, timezones };
}
