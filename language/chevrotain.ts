/**
 * Chevrotain, loaded from the single-file ES module the package ships
 * (`lib/chevrotain.mjs`, lodash inlined) rather than from its entry point
 * (`lib/src/api.js`), which pulls in a few hundred ES modules of its own and
 * of lodash-es: about 0.2 s to load, and 0.5 s through tsx's loader — half of
 * what `playbook check` took. The bundle is the same version and exports the
 * same names; it loads in about 10 ms. Every value the front end takes from
 * Chevrotain comes through here (one copy of its classes); types still come
 * from "chevrotain". Should a later version stop shipping the bundle, the
 * package entry is used.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Chevrotain from "chevrotain";

const entry = createRequire(import.meta.url).resolve("chevrotain");
const bundle = join(dirname(entry), "..", "chevrotain.mjs");
/** Where Chevrotain was loaded from: its bundle, or (without one) its package entry. */
export const chevrotainSource: "bundle" | "package" = existsSync(bundle) ? "bundle" : "package";
const chevrotain = (chevrotainSource === "bundle" ? await import(pathToFileURL(bundle).href) : await import("chevrotain")) as typeof Chevrotain;

export const { createToken, Lexer, EmbeddedActionsParser, VERSION } = chevrotain;
