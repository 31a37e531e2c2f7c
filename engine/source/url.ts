/**
 * `--data` values: a folder, or a database URL. Parsing, the scheme
 * did-you-mean, and redaction (a password never reaches a message).
 */
import { didYouMean } from "../../language/fuzzy.ts";

/** Schemes a source can be opened for. */
export const SCHEMES = ["postgres", "postgresql", "clickhouse"] as const;

/** A problem with a data source, worded for the user (exit 2, no stack trace). */
export class SourceError extends Error {}

const URL_LIKE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** True when `value` looks like `scheme://…` rather than a folder. */
export function isUrl(value: string): boolean {
  return URL_LIKE.test(value);
}

/** `postgres://user:***@host:port/db?schema=crm`: the URL with any password replaced by `***`. */
export function redact(value: string): string {
  return value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/, "$1:***@");
}

/** Replaces every occurrence of `secret` (a password) in a text, for messages from drivers. */
export function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("***");
  return out;
}

export interface ParsedUrl {
  scheme: (typeof SCHEMES)[number];
  url: URL;
  /** The URL as it may be printed. */
  label: string;
}

/** Parses a database URL; a scheme that is not known gets a did-you-mean. */
export function parseSourceUrl(value: string): ParsedUrl {
  const m = URL_LIKE.exec(value);
  if (!m) throw new SourceError(`not a database URL: ${redact(value)}`);
  const scheme = m[1]!.toLowerCase();
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    const hint = didYouMean(scheme, SCHEMES);
    throw new SourceError(`unknown database scheme "${m[1]}://" in ${redact(value)}${hint ? ` (did you mean ${hint}://?)` : ` (known: ${SCHEMES.map((s) => s + "://").join(", ")})`}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SourceError(`not a valid URL: ${redact(value)}`);
  }
  return { scheme: scheme as ParsedUrl["scheme"], url, label: redact(value) };
}
