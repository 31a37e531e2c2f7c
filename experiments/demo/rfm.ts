/**
 * RFM scores for the demo's engine, per the language's definition
 * (language.md, `rfm`): within the window, f = 1 + the bounds the order
 * count reaches, m likewise for the summed value, r = scores − the bounds the
 * time since the last goal event exceeds; null without a goal event in the
 * window. Dimensions without explicit bounds are cut at quantiles of the
 * customers with goal events — computed once, from the world's history at
 * its start (the demo's stand-in until the data engineer's `engine/rfm.ts`
 * is there, which the demo then prefers).
 */
import type { RfmConfig } from "../../language/ast.ts";
import type { EventRecord, RfmScores } from "../../language/values.ts";

function quantileBounds(values: number[], scores: number): number[] {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return Array.from({ length: scores - 1 }, () => Infinity);
  return Array.from({ length: scores - 1 }, (_, k) => s[Math.min(s.length - 1, Math.floor(((k + 1) * s.length) / scores))]!);
}

function window(cfg: RfmConfig, events: readonly EventRecord[], now: number): { n: number; sum: number; last: number } {
  let n = 0;
  let sum = 0;
  let last = -Infinity;
  for (const e of events) {
    if (e.name !== cfg.event || e.ts > now || e.ts <= now - cfg.window) continue;
    n++;
    const v = e.props[cfg.value];
    sum += typeof v === "number" ? v : 0;
    if (e.ts > last) last = e.ts;
  }
  return { n, sum, last };
}

/** An RFM function for `createEngine`'s `rfm` option, its quantile bounds fitted on `histories` at `at`. */
export function rfmScorer(cfg: RfmConfig, histories: Iterable<readonly EventRecord[]>, at: number): (id: string, events: readonly EventRecord[], now: number) => RfmScores | null {
  const counts: number[] = [];
  const sums: number[] = [];
  for (const evs of histories) {
    const w = window(cfg, evs, at);
    if (w.n > 0) {
      counts.push(w.n);
      sums.push(w.sum);
    }
  }
  const fb = cfg.frequency ?? quantileBounds(counts, cfg.scores);
  const mb = cfg.monetary ?? quantileBounds(sums, cfg.scores);
  const rb = cfg.recency ?? quantileBounds([], cfg.scores);
  return (_id, events, now) => {
    const w = window(cfg, events, now);
    if (w.n === 0) return null;
    const f = 1 + fb.filter((b) => w.n >= b).length;
    const m = 1 + mb.filter((b) => w.sum >= b).length;
    const r = cfg.scores - rb.filter((b) => now - w.last > b).length;
    return { r, f, m, cell: `${r}${f}${m}` };
  };
}
