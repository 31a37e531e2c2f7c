/**
 * `playbook tui DIR --decisions FILE --data D`: the report, interactive (ink).
 * On a terminal it opens the TUI; otherwise (a pipe, CI, a file) it prints
 * the report table, so scripts never get escape codes.
 */
import { parseArgs } from "node:util";
import { EXIT, UsageError, type CliIO } from "../io.ts";
import { loadRfm, reportFromJson, reportFromWorkspace } from "../tui/load.ts";
import { colorEnabled } from "../tui/theme.ts";

/** One line for `playbook --help`. */
export const summary = "the report, interactive: overview, rule drill-down, RFM grid";

/** `playbook tui --help`. */
export const usage = `Usage: playbook tui DIR --decisions FILE --data D [options]

Opens the incrementality report in the terminal: every rule with its lift and
interval against zero, q, SRM, ROMI and alerts; Enter opens a rule (metrics,
funnel, daily cumulative lift); r shows the RFM grid; ? lists every key.
When stdout is not a terminal it prints the report table instead.
Colours follow NO_COLOR.

Options:
  --decisions FILE     the decision log (JSON Lines) from run or simulate
  --data D             data folder with customers and events
  --events FILE        the events file, instead of looking in --data
  --at TIME            the time the RFM grid is computed at (default: end of the data)
  --alpha A, --sequential, --tuning N, --target-lift X, --min-delivered N, --cap P|none
                       as for \`playbook report\`
  --rejects FILE       go on past bad rows of the report's inputs, writing each to FILE
                       (as \`playbook report --rejects\`); without it, bad rows stop the TUI
`;

const REPORT_FLAGS = ["decisions", "data", "events", "alpha", "tuning", "target-lift", "min-delivered", "cap", "rejects"] as const;

/** Runs the command. */
export async function run(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      decisions: { type: "string" },
      data: { type: "string" },
      events: { type: "string" },
      at: { type: "string" },
      alpha: { type: "string" },
      sequential: { type: "boolean", default: false },
      tuning: { type: "string" },
      "target-lift": { type: "string" },
      "min-delivered": { type: "string" },
      cap: { type: "string" },
      rejects: { type: "string" },
      // Hidden: a report JSON instead of computing one (tests, demos, reports from elsewhere).
      "report-json": { type: "string" },
      // Hidden: open the TUI even when stdout is not a terminal (tmux tests pipe nothing, but be explicit).
      "force-tty": { type: "boolean", default: false },
      // Hidden: keep a timer of N ms pending while the TUI runs, a stand-in for work still
      // running when the user quits (the tmux quit test shows quit does not wait for it).
      "test-pending-ms": { type: "string" },
    },
  });
  let loaded;
  const dir = positionals[0];
  if (values["report-json"]) {
    loaded = await reportFromJson(values["report-json"]);
  } else {
    if (positionals.length !== 1) throw new UsageError("give exactly one workspace folder");
    if (!values.decisions) throw new UsageError("--decisions FILE is required");
    if (!values.data && !values.events) throw new UsageError("--data D (or --events FILE) is required");
    const extra: string[] = [];
    for (const f of REPORT_FLAGS) if (values[f] !== undefined) extra.push(`--${f}`, values[f]!);
    if (values.sequential) extra.push("--sequential");
    // Reading a large log takes seconds: say what is happening (stderr, so a pipe still gets only the table).
    if (io.isTTY) io.stderr("playbook tui: computing the report…\n");
    loaded = await reportFromWorkspace(io, dir!, extra);
  }
  if (!loaded.ok) {
    io.stderr(loaded.err);
    return loaded.code;
  }
  const report = loaded.value;
  if (!io.isTTY && !values["force-tty"]) {
    const { reportTable } = await import("../../experiments/format/table.ts");
    io.stdout(reportTable(report));
    return EXIT.ok;
  }
  if (dir && values.data) io.stderr("playbook tui: scoring RFM…\n");
  const rfm = dir ? await loadRfm(io, dir, values.data, values.at) : { grid: null, note: "start the TUI with DIR and --data D to see it." };
  // ink draws no frames when it believes it runs in CI (is-in-ci reads CI when ink is
  // first imported). We only get here with a terminal on stdout, where a person is
  // looking, so a CI variable inherited by that terminal must not blank the screen.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { openTui } = await import("../tui/open.tsx");
  if (values["test-pending-ms"]) setTimeout(() => {}, Number(values["test-pending-ms"]));
  // openTui ends the process when the user quits.
  return openTui({ report, rfm: rfm.grid, rfmNote: rfm.note, color: colorEnabled(io.env), title: tuiTitle(dir) });
}

/**
 * The title's workspace: the path as the user typed it, so it reads the same
 * as their command line (not made relative to the current folder, which
 * turned an absolute path into `../../…`).
 */
export function tuiTitle(dir: string | undefined): string {
  return dir ? `Playbook · ${dir}` : "Playbook";
}
