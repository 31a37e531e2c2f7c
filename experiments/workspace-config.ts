/**
 * Loading the report config of a workspace folder through the language front
 * end (`loadCheckedWorkspace` + `configFromWorkspace`), so a report
 * reads a playbook exactly as the engine does and stops on its errors. A
 * minimal reader of the few YAML keys the report needs
 * (`configFromYamlFiles`) serves tests that build a config from bare YAML.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { configFromWorkspace, type ReportConfig } from "./config.ts";
import { loadCheckedWorkspace } from "../language/check.ts";

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
 * The report config of workspace `dir`; errors in the playbook (syntax, names,
 * types) stop the report, rendered as diagnostics.
 */
export async function loadReportConfig(dir: string): Promise<LoadedConfig> {
  // Names and types too: a report must not read a workspace the engine would refuse.
  const { workspace, errors } = await loadCheckedWorkspace(dir);
  return errors ? { config: null, errors } : { config: configFromWorkspace(workspace), errors: null };
}
