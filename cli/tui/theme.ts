/**
 * Colours of the TUI, switched off as a whole under NO_COLOR
 * (https://no-color.org): every component asks `tint()` instead of naming a
 * colour, and everything a colour says is also written as a word or symbol.
 */
import type { Verdict } from "./model.ts";

/** Colour names as ink's `<Text color>` takes them. */
export type Tint = "green" | "red" | "yellow" | "magenta" | "cyan" | "gray";

const VERDICT_TINT: Record<Verdict, Tint | undefined> = {
  works: "green",
  harms: "red",
  unclear: undefined,
  underpowered: "yellow",
  srm: "magenta",
  noholdout: "gray",
};

/** The colour props for a verdict, or none without colour. */
export function verdictTint(v: Verdict, color: boolean): { color?: Tint } {
  const t = VERDICT_TINT[v];
  return color && t ? { color: t } : {};
}

/** A named colour when colour is on. */
export function tint(t: Tint, color: boolean): { color?: Tint } {
  return color ? { color: t } : {};
}

/** True unless NO_COLOR is set to anything non-empty. */
export function colorEnabled(env: Record<string, string | undefined>): boolean {
  return !(env.NO_COLOR !== undefined && env.NO_COLOR !== "");
}
