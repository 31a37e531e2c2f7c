/**
 * Mounting the TUI on the real terminal: the alternate screen (so quitting
 * gives the shell back as it was), ink's render, and waiting for `q`.
 */
import React from "react";
import { render } from "ink";
import { App, type AppProps } from "./App.tsx";

/** Runs the TUI until the user quits. */
export async function openTui(props: AppProps): Promise<void> {
  const out = process.stdout;
  out.write("\x1b[?1049h\x1b[H");
  try {
    const inst = render(<App {...props} />, { exitOnCtrlC: true, patchConsole: false });
    await inst.waitUntilExit();
  } finally {
    out.write("\x1b[?1049l");
  }
}
