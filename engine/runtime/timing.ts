/**
 * `PLAYBOOK_TIMING=1`: how long each stage of a command took, on stderr. The
 * returned `lap(what)` prints the time since the previous lap (or since the
 * timer was made); without the variable it does nothing.
 */
export function stageTimer(): (what: string) => void {
  let t0 = performance.now();
  return (what) => {
    if (!process.env.PLAYBOOK_TIMING) return;
    const t = performance.now();
    process.stderr.write(`timing: ${what} ${((t - t0) / 1000).toFixed(2)} s\n`);
    t0 = t;
  };
}
