/**
 * `playbook explain DIR --data D --customer ID --at TIME [--rule ID]`: why
 * each rule did or did not reach one customer, check by check, as the engine
 * decided it (engine/runtime/explain.ts replays the customer through the
 * same loop with a tracer).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseDataArgs } from "../data-args.ts";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import type { EventRecord, RfmScores, Value } from "../../language/values.ts";
import type { ContactRecord } from "../../engine/runtime/caps.ts";
import { explanationOf, renderExplanation } from "../../engine/runtime/explain.ts";
import { decideFromFiles, InputError, loadProgram } from "../../engine/runtime/inputs.ts";
import { formatBadRows, rowsSummary } from "../../engine/runtime/read.ts";
import { historyReach } from "../../engine/runtime/horizon.ts";
import { featurePlan } from "../../engine/features/index.ts";
import { loadState, StateFormatError } from "../../engine/state/store.ts";
import { dataSource, timeFlag } from "./run.ts";

const DAY = 86_400_000;

/** One line for `playbook --help`. */
export const summary = "why each rule did or did not reach a customer, step by step";

/** `playbook explain --help`. */
export const usage = `Usage: playbook explain DIR --data D --customer ID --at TIME [--rule ID] [--state FILE]
                       [--format text|json]

For one customer, replays the history up to TIME through the engine and
prints, for every rule (or just --rule), each check of each candidate in the
day ending at TIME in the order of a decision, with the values it saw, the cap
or condition that stopped it, and what would have been sent. A candidate
still waiting at TIME (queue, send hours, another cadence) is shown as the log
has it: deferred, with its next try, nothing decided yet.

The replay starts at the customer's first event (and at least as far before
the day ending at TIME as every cap, pause and "within" window reaches): it
tells the story of a simulation of their whole history. With --state, the messages sent before that day
are the ones in the state file of "run --state" (its contact history), so the
caps count what the run counted; without it they are rebuilt by the replay,
which can find messages a run that started later never sent.

--format json prints the same as one JSON object: customer, at, zone,
local_time, window {from, to}, history_from, contact_history ("state" or
"rebuilt"), events_up_to_at,
messages_last_7d [{rule, step, channel, at}], and rules in arbitration order
[{rule, priority, cadence_steps (null for one message), arm (null without
variants), on, candidates [{at,
step, entered_at, checks [{check, detail}], status (null when put back),
waiting (null, or {send_at, reason} when still waiting at TIME)}],
no_candidate (null, or why), sends [{step, template, channel, send_at,
status}]}]. Times are ISO 8601 UTC as in the decision log.

Options:
  --data D            data folder with customers.* and events.*
  --customers FILE    the customers file, instead of looking in --data
  --events FILE       the events file, instead of looking in --data
  --customer ID       the customer
  --at TIME           ISO 8601 (no offset means UTC)
  --rule ID           only this rule
  --state FILE        the state file of run --state: its contact history (read only)
  --format F          text (default) or json
`;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { dir, values } = parseDataArgs(args, { customer: { type: "string" }, at: { type: "string" }, rule: { type: "string" }, state: { type: "string" }, format: { type: "string", default: "text" } });
  if (!values.customer) throw new UsageError("--customer ID is required");
  if (values.format !== "text" && values.format !== "json") throw new UsageError(`--format must be text or json, not "${values.format}"`);
  const at = timeFlag("at", values.at);
  try {
    const { program } = await loadProgram(resolve(io.cwd, dir), dir);
    if (values.rule && !program.ws.rules.has(values.rule)) {
      io.stderr(`playbook explain: no rule "${values.rule}" (rules: ${[...program.ws.rules.keys()].join(", ")})\n`);
      return EXIT.usage;
    }
    const id = values.customer;
    let history: ContactRecord[] | undefined;
    if (values.state) {
      const path = resolve(io.cwd, values.state);
      if (!existsSync(path)) throw new UsageError(`--state ${values.state}: no such file`);
      history = (await loadState(path)).states.get(id)?.history ?? [];
    }
    type Found = { attrs: Record<string, Value>; events: EventRecord[]; tz: string; rfm: RfmScores | null; rfmAt?: (now: number) => RfmScores | null };
    let found: Found | null = null;
    // RFM snapshots from as far back as the caps reach (inputs.ts keeps at most 31 days of them).
    const r = await decideFromFiles(program, dataSource(io, values), new Map(), at - DAY - historyReach(program, featurePlan(program.ws)), at, false, {
      id,
      onCustomer: (attrs, events, tz, rfm, rfmAt) => void (found = { attrs, events, tz, rfm, ...(rfmAt ? { rfmAt } : {}) }),
    });
    if (r.bad.length) io.stderr(formatBadRows(r.bad));
    io.stderr(rowsSummary(r.counts));
    const f = found as Found | null;
    if (!f) {
      io.stderr(`playbook explain: no customer "${id}" in the data\n`);
      return EXIT.failed;
    }
    const c = { id, attrs: f.attrs, events: f.events, tz: f.tz, rfm: f.rfm, ...(f.rfmAt ? { rfmAt: f.rfmAt } : {}) };
    const x = explanationOf(program, c, { at, ...(values.rule ? { rule: values.rule } : {}), ...(history ? { history } : {}) });
    io.stdout(values.format === "json" ? `${JSON.stringify(x)}\n` : renderExplanation(x));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InputError) return (io.stderr(e.message), e.exitCode);
    if (e instanceof StateFormatError) return (io.stderr(`playbook explain: ${e.message}\n`), EXIT.usage);
    throw e;
  }
}
