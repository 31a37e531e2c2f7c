/**
 * Loading the report config of a workspace folder. The real path is the
 * language front end (`loadWorkspace` + `configFromWorkspace`), so a report
 * reads a playbook exactly as the engine does and stops on its errors. While
 * that module is absent (it lands in parallel), a minimal reader of the few
 * YAML keys the report needs stands in; it is also what lets the Hillstrom
 * example and the tests run without the front end.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { configFromWorkspace, type ReportConfig } from "./config.ts";

/** A config, or the rendered problems that stop the report. */
export type LoadedConfig = { config: ReportConfig; errors: null } | { config: null; errors: string };

const DUR: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `7d` → ms; null if not a duration. */
export function parseDuration(s: unknown): number | null {
  const m = typeof s === "string" ? /^(\d+)([smhdw])$/.exec(s.trim()) : null;
  return m ? Number(m[1]) * DUR[m[2]!]! : null;
}

/** `10%` → 0.1; plain numbers are taken as fractions. */
export function parsePercent(s: unknown): number | null {
  if (typeof s === "number") return s;
  const m = typeof s === "string" ? /^(\d+(?:\.\d+)?)%$/.exec(s.trim()) : null;
  return m ? Number(m[1]) / 100 : null;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** Reads the report's keys straight from the YAML files (no checking beyond shapes). */
export function configFromYamlFiles(dir: string): ReportConfig {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const cfg: ReportConfig = {
    attribution: 7 * DUR.d!, goal: "order_placed", revenueProp: "amount", channelCost: new Map(), offers: new Map(),
    holdout: new Map(), globalHoldout: 0, alerts: {}, rules: [],
  };
  let defaultHoldout = 0.1;
  const ruleHoldout = new Map<string, number | null>();
  for (const f of files) {
    const doc = obj(parse(readFileSync(join(dir, f), "utf8")));
    const d = obj(doc.defaults);
    if (d.attribution !== undefined) cfg.attribution = parseDuration(d.attribution) ?? cfg.attribution;
    if (typeof d.goal === "string") cfg.goal = d.goal;
    if (d.holdout !== undefined) defaultHoldout = parsePercent(d.holdout) ?? defaultHoldout;
    if (d.global_holdout !== undefined) cfg.globalHoldout = parsePercent(d.global_holdout) ?? 0;
    for (const [name, ch] of Object.entries(obj(doc.channels))) cfg.channelCost.set(name, Number(obj(ch).cost ?? 0));
    const a = obj(doc.alerts);
    if (a.open_rate_below !== undefined) cfg.alerts.openRateBelow = parsePercent(a.open_rate_below) ?? undefined;
    if (a.ctr_below !== undefined) cfg.alerts.ctrBelow = parsePercent(a.ctr_below) ?? undefined;
    if (a.unsubscribe_above !== undefined) cfg.alerts.unsubscribeAbove = parsePercent(a.unsubscribe_above) ?? undefined;
    if (a.complaint_above !== undefined) cfg.alerts.complaintAbove = parsePercent(a.complaint_above) ?? undefined;
    for (const [id, rv] of Object.entries(obj(doc.rules))) {
      const r = obj(rv);
      cfg.rules.push(id);
      ruleHoldout.set(id, r.holdout === undefined ? null : parsePercent(r.holdout));
      const steps = Array.isArray(r.steps) ? r.steps.map(obj) : [obj(r.send)];
      const offers = new Map<number, number>();
      steps.forEach((s, i) => {
        const o = obj(s.offer);
        if (o.cost !== undefined) offers.set(i + 1, Number(o.cost));
      });
      if (offers.size) cfg.offers.set(id, offers);
    }
  }
  for (const [id, h] of ruleHoldout) cfg.holdout.set(id, h ?? defaultHoldout);
  return cfg;
}

/**
 * The report config of workspace `dir`: through the language front end when
 * it is present (errors in the playbook stop the report, rendered as
 * diagnostics), else from the YAML directly.
 */
export async function loadReportConfig(dir: string): Promise<LoadedConfig> {
  let lang: { loadWorkspace?: (d: string) => Promise<{ workspace: import("../language/ast.ts").Workspace; diagnostics: { severity: string }[] }> } | null = null;
  try {
    lang = await import(/* front end, when present */ "../language/index.ts" as string);
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  }
  if (!lang?.loadWorkspace) return { config: configFromYamlFiles(dir), errors: null };
  const { workspace, diagnostics } = await lang.loadWorkspace(dir);
  let all = diagnostics;
  if (!diagnostics.some((d) => d.severity === "error")) {
    // Names and types too: a report must not read a workspace the engine would refuse.
    try {
      const { checkWorkspace } = await import("../language/check.ts" as string);
      all = [...diagnostics, ...checkWorkspace(workspace)];
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code !== "ERR_MODULE_NOT_FOUND") throw e;
    }
  }
  const errors = all.filter((d) => d.severity === "error");
  if (errors.length) {
    let text: string;
    try {
      const { renderDiagnostics } = await import("../language/render.ts" as string);
      text = renderDiagnostics(errors, workspace.files, { color: false });
    } catch {
      text = errors.map((d) => JSON.stringify(d)).join("\n") + "\n";
    }
    return { config: null, errors: text };
  }
  return { config: configFromWorkspace(workspace), errors: null };
}
