/**
 * Mounting the TUI on the real terminal: the alternate screen (so quitting
 * gives the shell back as it was), ink's render, and ending the process on
 * quit.
 *
 * Quit ends the process at once (`process.exit`) instead of returning and
 * letting Node wait for its event loop to drain: whatever may still be
 * pending then (a DuckDB handle or query, a timer, a computation started for
 * the RFM screen, stdin left referenced) must not keep a process running
 * behind a shell prompt that looks free (issue 19: on a loaded machine `q`
 * left the alternate screen but the process ran on for ≥ 10 s).
 */
import React from "react";
import { render, type Instance } from "ink";
import { App, type AppProps } from "./App.tsx";

const ENTER_ALT = "\x1b[?1049h\x1b[H";
/** Show the cursor again and leave the alternate screen. */
const LEAVE_ALT = "\x1b[?25h\x1b[?1049l";

/**
 * Gives the terminal back as it was and ends the process with `code`. Ink is
 * unmounted first so its last frame lands on the alternate screen (unmounting
 * later, from its exit hook, would draw that frame over the shell's screen).
 */
function endProcess(inst: Instance | undefined, code: number, err?: unknown): never {
  try {
    inst?.unmount();
  } catch {
    // Already unmounted: nothing more to restore from ink.
  }
  const stdin = process.stdin;
  if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
  // Writes to a terminal are synchronous in Node, so nothing written here is lost by exiting.
  process.stdout.write(LEAVE_ALT);
  if (err !== undefined) process.stderr.write(`playbook tui: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(code);
}

/** Runs the TUI until the user quits, then ends the process (exit code 0; 1 if the UI failed). */
export async function openTui(props: AppProps): Promise<never> {
  process.stdout.write(ENTER_ALT);
  let inst: Instance | undefined;
  try {
    // q and Ctrl-C reach onQuit straight from the key handler, with no render in between.
    inst = render(<App {...props} onQuit={() => endProcess(inst, 0)} />, { exitOnCtrlC: false, patchConsole: false });
    await inst.waitUntilExit();
  } catch (e) {
    return endProcess(inst, 1, e);
  }
  return endProcess(inst, 0);
}
