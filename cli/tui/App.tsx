/**
 * The TUI's root: holds the state (screen, selection, sort, filter, section),
 * maps keys to state changes, and lays the screens out in the terminal's
 * size, re-laid on resize. It takes a `Report` (and optionally an RFM grid)
 * and nothing else, so tests render it with a fixture and no files.
 */
import React, { useEffect, useRef, useState } from "react";
import { Box, Text, useApp, useInput, useStdout } from "ink";
import type { Report } from "../../experiments/report-types.ts";
import { SORT_KEYS, scrollTop, visibleRules, type RfmGrid, type SortKey } from "./model.ts";
import { Overview } from "./Overview.tsx";
import { RuleView } from "./RuleView.tsx";
import { INITIAL, reduceKey, splitBurst } from "./keys.ts";
import { Help, RfmView, footerText } from "./Panels.tsx";
import { fit } from "./cells.ts";
import { tint } from "./theme.ts";

/** Props of the TUI. */
export interface AppProps {
  report: Report;
  rfm?: RfmGrid | null;
  /** Why there is no RFM grid, shown on the RFM screen. */
  rfmNote?: string | null;
  color?: boolean;
  /** Fixed size (tests); otherwise the terminal's, followed on resize. */
  width?: number;
  height?: number;
  /** Title line: the workspace and data the report came from. */
  title?: string;
  /**
   * Called from the key handler the moment a key quits, before any render (the
   * real terminal ends the process there); without it the app exits through ink.
   */
  onQuit?: () => void;
}

/** The terminal's size, updated when it is resized. */
function useTerminalSize(fixed: { width?: number; height?: number }): { width: number; height: number } {
  const { stdout } = useStdout();
  const read = () => ({ width: fixed.width ?? (stdout.columns || 80), height: fixed.height ?? (stdout.rows || 24) });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const on = () => setSize(read());
    stdout.on("resize", on);
    return () => void stdout.off("resize", on);
  });
  return fixed.width !== undefined && fixed.height !== undefined ? { width: fixed.width, height: fixed.height } : size;
}

/** The interactive report. */
export function App(props: AppProps): React.ReactElement {
  const { report } = props;
  const color = props.color ?? true;
  const { exit } = useApp();
  const { width, height } = useTerminalSize(props);
  const rowsHeight = Math.max(1, height - 5);
  // The state lives in a ref as well, updated by the pure reducer inside the key handler:
  // the handler sees the latest state even when ink hands it keys before React re-renders,
  // and it knows at once when a key quits, without waiting for a render.
  const stRef = useRef(INITIAL);
  const [st, setSt] = useState(INITIAL);
  const { onQuit } = props;
  useInput((input, key) => {
    let s = stRef.current;
    for (const k of splitBurst(input, key)) s = reduceKey(s, { ...k, report, rowsHeight });
    stRef.current = s;
    if (s.quit && onQuit) return onQuit();
    setSt(s);
  });
  useEffect(() => {
    if (st.quit) exit();
  }, [st.quit, exit]);

  const sortKey: SortKey = SORT_KEYS[st.sortIdx]!;
  // Title, column header, global-holdout line, detail line, footer.
  const rows = visibleRules(report, sortKey, st.reversed, st.filter);
  const sel = Math.min(st.selected, Math.max(0, rows.length - 1));
  // The window may have shrunk since the last key: keep the selection in view.
  const top = scrollTop(Math.min(st.top, Math.max(0, rows.length - 1)), sel, rowsHeight);
  const level = `${Math.round((1 - report.alpha) * 1000) / 10}%`;
  const period = report.period ? ` · ${report.period.from.slice(0, 10)} – ${report.period.to.slice(0, 10)}` : "";
  const title = `${props.title ?? "Playbook report"} · ${report.rules.length} rules · attribution ${report.attribution} · ${level} ${report.sequential ? "CS" : "CI"}${period}`;
  const footerScreen = st.help ? "help" : st.typing ? "filter" : st.screen;
  const current = rows[sel];
  let body: React.ReactElement;
  if (st.help) body = <Help width={width} />;
  else if (st.screen === "rule" && current) body = <RuleView report={report} rule={current} section={st.section} width={width} height={height - 2} color={color} />;
  else if (st.screen === "rfm") body = <RfmView grid={props.rfm ?? null} note={props.rfmNote ?? null} width={width} />;
  else body = <Overview report={report} rows={rows} selected={sel} top={top} rowsHeight={rowsHeight} width={width} color={color} />;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate" {...tint("cyan", color)}>{fit(title, width - 1)}</Text>
      <Box flexDirection="column" flexGrow={1}>{body}</Box>
      {st.status ? (
        // The last key did nothing: say so where the key hints are, until the next key.
        <Text wrap="truncate" bold {...tint("yellow", color)}>{fit(st.status, width - 1).padEnd(width - 1)}</Text>
      ) : (
        <Text wrap="truncate" inverse={color}>{footerText(footerScreen, `${sortKey}${st.reversed ? "↑" : ""}`, st.filter, width).padEnd(width - 1)}</Text>
      )}
    </Box>
  );
}
