/** Durations as the log writes them in `reason` ("queued 1d 2h"): largest units first, zero parts left out. */
export function formatWait(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 60_000);
  for (const [unit, size] of [["d", 1440], ["h", 60], ["m", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.length ? parts.join(" ") : "0m";
}
