/**
 * Usage mistakes in our words: a mistyped command or flag gets a "did you
 * mean" from the project's fuzzy matcher (language/fuzzy.ts), and Node's
 * `util.parseArgs` errors ("Unknown option '--frmat'. To specify a positional
 * argument starting with a '-', …") are rewritten as one short line. Every
 * command's flags are read from its own `usage` text, so a command declares
 * them once (in its help) and no command file has to change for this.
 */
import { didYouMean } from "../language/fuzzy.ts";

/** `unknown command "chek"; did you mean "check"?` (or without the question when nothing is close). */
export function unknownCommand(name: string, commands: readonly string[]): string {
  const near = didYouMean(name, commands);
  return `unknown command "${name}"${near ? `; did you mean "${near}"?` : "."} Run \`playbook --help\` for the list.`;
}

/** The long flags a usage text mentions (`--format`, `--data`, …), each once, in order of appearance. */
export function flagsOf(usage: string): string[] {
  return [...new Set(usage.match(/--[a-z][a-z0-9-]*/g) ?? [])];
}

/** A flag as typed, without `=value`: `--frmat=json` → `--frmat`. */
function flagName(typed: string): string {
  const eq = typed.indexOf("=");
  return eq > 0 ? typed.slice(0, eq) : typed;
}

/**
 * The message for a usage error. Node's parseArgs messages (recognised by
 * their text, since a command may have re-thrown one as a UsageError) are
 * rewritten; anything else is returned as it is.
 */
export function usageMessage(message: string, usage: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const typed = flagName(unknown[1]!);
    const flags = [...flagsOf(usage), "--help"];
    // Compared without the dashes, so `-format` and `--frmat` both find `--format`.
    const near = didYouMean(typed.replace(/^-+/, ""), flags.map((f) => f.slice(2)));
    return `unknown option ${typed}${near ? `; did you mean --${near}?` : ""}`;
  }
  const missing = /^Option '(-[^ ']+)(?:, (--[^ ']+))? <value>' argument missing/.exec(message);
  if (missing) return `${missing[2] ?? missing[1]} needs a value`;
  const noValue = /^Option '(-[^ ']+)(?:, (--[^ ']+))?' does not take an argument/.exec(message);
  if (noValue) return `${noValue[2] ?? noValue[1]} takes no value`;
  const positional = /^Unexpected argument '([^']*)'/.exec(message);
  if (positional) return `unexpected argument "${positional[1]}"`;
  return message;
}

/** The synopsis of a usage text: its lines up to the first blank one (`Usage: playbook run DIR …`). */
export function synopsis(usage: string): string {
  const blank = usage.search(/\n\s*\n/);
  return (blank < 0 ? usage : usage.slice(0, blank)).trimEnd();
}
