import type { Span } from "./ast.ts";

/**
 * Problems in a playbook are data, not exceptions: every stage appends to one
 * list and the CLI renders it (`render.ts`). Codes are stable and each has one
 * line in docs/diagnostics.md.
 */
export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Stable code, e.g. "PB101". */
  code: string;
  /** Stable kebab-case name of the code, e.g. "unknown-name". */
  name: string;
  severity: Severity;
  message: string;
  /** Where; absent only for workspace-level problems (empty folder). */
  span?: Span;
  /** e.g. `did you mean "first_name"?` */
  hint?: string;
  /** Other places that matter (the first definition of a duplicate). */
  related?: { message: string; span: Span }[];
}

/** Collects diagnostics from every stage. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }

  /** Sorted by file, position, code: the order every output uses. */
  sorted(): Diagnostic[] {
    return [...this.items].sort(compareDiagnostics);
  }
}

/** Total order on diagnostics: file, offset, code, message. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.span?.file ?? "";
  const fb = b.span?.file ?? "";
  if (fa !== fb) return fa < fb ? -1 : 1;
  const oa = a.span?.start ?? -1;
  const ob = b.span?.start ?? -1;
  if (oa !== ob) return oa - ob;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}
