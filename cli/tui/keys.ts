/**
 * The TUI's state and what each key does to it, as a pure reducer. Ink hands
 * a key to the handler of the last committed render, so a handler reading
 * React state directly sees stale values when keys arrive quickly (typed
 * filters, a tmux `send-keys` burst); a reducer always sees the latest state.
 */
import type { Key } from "ink";
import type { Report } from "../../experiments/report-types.ts";
import { SORT_KEYS, scrollTop, visibleRules } from "./model.ts";

/** Number of sections of the rule view (metrics, funnel, lift over time). */
export const SECTION_COUNT = 3;

/** Everything the screens show that the user can change. */
export interface UiState {
  screen: "overview" | "rule" | "rfm";
  help: boolean;
  sortIdx: number;
  reversed: boolean;
  filter: string;
  typing: boolean;
  selected: number;
  top: number;
  section: number;
  quit: boolean;
  /** A sentence for the footer about the last key when it did nothing (unknown key, no next rule); "" otherwise. */
  status: string;
}

/** The state the TUI opens in. */
export const INITIAL: UiState = {
  screen: "overview", help: false, sortIdx: 0, reversed: false, filter: "", typing: false, selected: 0, top: 0, section: 0, quit: false, status: "",
};

/** One key press, with what the reducer needs to know of the screen. */
export interface KeyAction {
  input: string;
  key: Partial<Key>;
  report: Report;
  /** Rule rows that fit in the overview. */
  rowsHeight: number;
}

function rowCount(s: UiState, report: Report): number {
  return visibleRules(report, SORT_KEYS[s.sortIdx]!, s.reversed, s.filter).length;
}

function moveTo(s: UiState, to: number, a: KeyAction): UiState {
  const n = rowCount(s, a.report);
  const selected = Math.max(0, Math.min(n - 1, to));
  return { ...s, selected, top: scrollTop(s.top, selected, a.rowsHeight) };
}

const resetRows = (s: UiState): UiState => ({ ...s, selected: 0, top: 0 });

/** A key as the status line names it: "x", "Tab", "→". */
export function keyName(input: string, key: Partial<Key>): string {
  const named: [keyof Key, string][] = [["upArrow", "↑"], ["downArrow", "↓"], ["leftArrow", "←"], ["rightArrow", "→"], ["pageUp", "PgUp"], ["pageDown", "PgDn"], ["home", "Home"], ["end", "End"], ["tab", "Tab"], ["return", "Enter"], ["escape", "Esc"], ["backspace", "Backspace"], ["delete", "Delete"]];
  const n = named.find(([k]) => key[k]);
  if (n) return n[1];
  if (key.ctrl && input) return `Ctrl-${input.toUpperCase()}`;
  return input && !/[\x00-\x1f]/.test(input) ? `"${input}"` : "that key";
}

/** Moves to the next/previous rule in the rule view, or says why it cannot. */
function stepRule(s: UiState, a: KeyAction, by: 1 | -1): UiState {
  const n = rowCount(s, a.report);
  const of = s.filter ? `${n} rules match /${s.filter}` : `${n} rules`;
  if (by > 0 && s.selected >= n - 1) return { ...s, status: `this is the last rule (${of}): p goes back` };
  if (by < 0 && s.selected <= 0) return { ...s, status: `this is the first rule (${of}): n goes on` };
  return moveTo(s, s.selected + by, a);
}

/** The state after one key; a key that does nothing says so in `status`. */
export function reduceKey(prev: UiState, a: KeyAction): UiState {
  const s = prev.status ? { ...prev, status: "" } : prev;
  const next = applyKey(s, a);
  if (next !== s) return next;
  // Unchanged: the key meant nothing here (or was swallowed while typing a filter, which is fine).
  if (s.typing) return s;
  return { ...s, status: `${keyName(a.input, a.key)} does nothing here: ? lists the keys` };
}

function applyKey(s: UiState, a: KeyAction): UiState {
  const { input, key } = a;
  // Ctrl-C quits from anywhere, even while typing a filter or reading the help.
  if (key.ctrl && input === "c") return { ...s, quit: true };
  if (s.help) return { ...s, help: false };
  if (s.typing) {
    if (key.return) return { ...s, typing: false };
    if (key.escape) return resetRows({ ...s, filter: "", typing: false });
    if (key.backspace || key.delete) return resetRows({ ...s, filter: s.filter.slice(0, -1) });
    if (input && !key.ctrl && !key.meta && !/[\x00-\x1f]/.test(input)) return resetRows({ ...s, filter: s.filter + input });
    return s;
  }
  if (input === "q") return { ...s, quit: true };
  if (input === "?") return { ...s, help: true };
  if (s.screen === "overview") {
    if (key.upArrow || input === "k") return moveTo(s, s.selected - 1, a);
    if (key.downArrow || input === "j") return moveTo(s, s.selected + 1, a);
    if (key.pageUp) return moveTo(s, s.selected - a.rowsHeight, a);
    if (key.pageDown) return moveTo(s, s.selected + a.rowsHeight, a);
    if (input === "g" || key.home) return moveTo(s, 0, a);
    if (input === "G" || key.end) return moveTo(s, rowCount(s, a.report) - 1, a);
    if ((key.return || key.rightArrow) && rowCount(s, a.report) > 0) return { ...s, screen: "rule", section: 0 };
    if (input === "s") return resetRows({ ...s, sortIdx: (s.sortIdx + 1) % SORT_KEYS.length });
    if (input === "S") return resetRows({ ...s, reversed: !s.reversed });
    if (input === "/") return { ...s, typing: true };
    if (key.escape && s.filter) return resetRows({ ...s, filter: "" });
    if (input === "r") return { ...s, screen: "rfm" };
    return s;
  }
  if (key.escape || key.leftArrow || key.backspace || key.delete) return { ...s, screen: "overview" };
  if (s.screen === "rule") {
    if (key.tab) return { ...s, section: (s.section + (key.shift ? SECTION_COUNT - 1 : 1)) % SECTION_COUNT };
    if (input >= "1" && input <= String(SECTION_COUNT) && input.length === 1) return { ...s, section: Number(input) - 1 };
    if (input === "n" || key.downArrow) return stepRule(s, a, 1);
    if (input === "p" || key.upArrow) return stepRule(s, a, -1);
  }
  return s;
}

/**
 * Splits a burst of keys that arrived in one read (`tmux send-keys j j Enter`,
 * a paste) into single key presses; ink hands such a burst over as one string.
 */
export function splitBurst(input: string, key: Partial<Key>): { input: string; key: Partial<Key> }[] {
  if (input.length <= 1 || input.includes("\x1b")) return [{ input, key }];
  return [...input].map((ch) => {
    if (ch === "\r" || ch === "\n") return { input: "", key: { return: true } };
    if (ch === "\t") return { input: "", key: { tab: true } };
    if (ch === "\x7f" || ch === "\b") return { input: "", key: { backspace: true } };
    return { input: ch, key: {} };
  });
}
