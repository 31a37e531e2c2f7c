/**
 * Resolves the names inside expressions (fills `NameExpr.ref`) and types every
 * node (fills `node.type`), reporting PB1xx/PB2xx. One walk does both because
 * a bare name's meaning depends on the place: inside `where`, the props of that
 * event first; then the trigger event's props (event-triggered rules only);
 * then attributes, segments, events and the built-ins `customer_id` and `rfm`.
 * A node typed `error` silences checks on its parents, so one mistake is
 * reported once.
 */
import type { AggExpr, EventDef, Expr, Type, Workspace } from "./ast.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { diag, needEvent, suggest, typeName, type Namespace } from "./resolver.ts";
import { typeExprRest } from "./type-rules.ts";

/** Where an expression stands: what it may see. */
export interface Scope {
  /** The trigger event of an event-triggered rule (`EVENT`, `D after EVENT`). */
  trigger?: EventDef;
  /** Events of enclosing `where` clauses, innermost last. */
  where: EventDef[];
  /** Inside a rule (who/unless/steps): `in_cadence()` allowed. */
  inRule: boolean;
  /** 1-based step index when checking a step's if/unless. */
  step?: number;
}

const t = (base: Type["base"], nullable = false): Type => ({ base, nullable });
/** The type of a node after an error: checks on it are skipped. */
export const ERROR: Type = t("error");

/** Function names of the language (aggregates are parsed as their own node). */
export const FUNCTIONS = ["days_since", "hours_since", "lower", "delivered", "opened", "clicked", "in_cadence", "count", "sum", "avg", "min", "max", "first", "last"];

/** Resolves and types expressions of one workspace, appending diagnostics. */
const KEYWORDS = new Set(["true", "false", "null", "not"]);

export class TypeChecker {
  constructor(
    readonly ws: Workspace,
    readonly ns: Namespace,
    readonly out: Diagnostic[],
  ) {}

  /** The source text of a node, for messages (`"city"`), shortened. */
  text(e: Expr): string {
    const f = this.ws.files.find((x) => x.path === e.span.file);
    let s = f ? f.text.slice(e.span.start, e.span.end).replace(/\s+/g, " ").trim() : "";
    if (!s) s = e.kind === "name" ? e.name : e.kind;
    return s.length > 40 ? s.slice(0, 37) + "…" : s;
  }

  /** `"city" is a string` — the operand and what it is. */
  what(e: Expr, ty: Type): string {
    return `"${this.text(e)}" is ${typeName(ty)}`;
  }

  /** Types a condition: it must be true/false (PB202). `place` is e.g. "who". */
  condition(e: Expr | undefined, sc: Scope, place: string): void {
    if (!e) return;
    const ty = this.type(e, sc);
    if (ty.base !== "bool" && ty.base !== "error") {
      this.out.push(diag("PB202", `${place} must be true or false, but ${this.what(e, ty)}`, e.span, hintForCondition(ty)));
    }
  }

  /** Types `e` in scope `sc`, sets `e.type`, returns it. */
  type(e: Expr, sc: Scope): Type {
    const ty = this.compute(e, sc);
    e.type = ty;
    return ty;
  }

  private compute(e: Expr, sc: Scope): Type {
    switch (e.kind) {
      case "number":
      case "percent":
        return t("number");
      case "string":
        return t("string");
      case "bool":
        return t("bool");
      case "null":
        return t("null", true);
      case "duration":
        return t("duration");
      case "date":
        return t("date");
      case "datetime":
        return t("datetime");
      case "name":
        return this.name(e, sc);
      case "member":
        return this.member(e, sc);
      case "agg":
        return this.agg(e, sc);
      case "exists": {
        if (e.within) e.within.type = t("duration");
        const ev = needEvent(this.ns, e.event, e.eventSpan, this.out);
        if (e.where) this.condition(e.where, ev ? { ...sc, where: [...sc.where, ev] } : sc, "a where clause");
        return t("bool");
      }
      default:
        return typeExprRest(this, e, sc);
    }
  }

  private name(e: Extract<Expr, { kind: "name" }>, sc: Scope): Type {
    // (TRUE, NULL: an upper-case keyword where a value goes parses as a name.)
    const n = e.name;
    for (let i = sc.where.length - 1; i >= 0; i--) {
      const ev = sc.where[i]!;
      const p = ev.props.get(n);
      if (p) {
        e.ref = { kind: "prop", event: ev.name, prop: n, scope: "where" };
        return p.type;
      }
    }
    const tp = sc.trigger?.props.get(n);
    if (tp && sc.trigger) {
      e.ref = { kind: "prop", event: sc.trigger.name, prop: n, scope: "trigger" };
      return tp.type;
    }
    const a = this.ns.attributes.get(n);
    if (a) {
      e.ref = { kind: "attribute", name: n };
      return a.type;
    }
    if (this.ns.segments.has(n)) {
      e.ref = { kind: "segment", name: n };
      return t("bool");
    }
    if (this.ns.events.has(n)) {
      e.ref = { kind: "event", name: n };
      return t("bool");
    }
    if (n === "rfm") {
      e.ref = { kind: "rfm" };
      return t("rfm");
    }
    if (n === "previous") {
      this.out.push(diag("PB111", `"previous" only means something inside delivered(…), opened(…) or clicked(…)`, e.span, "write e.g. opened(previous)"));
      return ERROR;
    }
    const props = propNamesOf(sc);
    const candidates = [...this.ns.attributes.keys(), ...this.ns.segments, ...this.ns.events.keys(), ...props, "rfm"];
    let hint = KEYWORDS.has(n.toLowerCase()) ? `keywords are lower case: write ${n.toLowerCase()}` : suggest(n, candidates);
    if (!hint) {
      const owner = [...this.ns.events.values()].find((ev) => ev.props.has(n));
      if (owner) hint = `"${n}" is a prop of ${owner.name}; it is in scope only inside "${owner.name} where …" or in rules triggered by ${owner.name}`;
    }
    this.out.push(diag("PB101", `unknown name "${n}"`, e.span, hint));
    return ERROR;
  }

  private member(e: Extract<Expr, { kind: "member" }>, sc: Scope): Type {
    const o = e.object;
    if (o.kind === "name" && !sc.where.some((w) => w.props.has(o.name)) && !sc.trigger?.props.has(o.name) && !this.ns.attributes.has(o.name)) {
      if (sc.trigger && o.name === sc.trigger.name) {
        o.ref = { kind: "trigger_event", event: o.name };
        o.type = { base: "event", nullable: false, event: o.name };
        return this.eventProp(e, sc.trigger, false);
      }
      const ev = this.ns.events.get(o.name);
      if (ev && !this.ns.segments.has(o.name)) {
        o.type = ERROR;
        const inWhere = sc.where.some((w) => w.name === o.name);
        const msg = inWhere
          ? `inside "${o.name} where …" write the prop bare: "${e.prop}"`
          : `the props of "${o.name}" are in scope only in rules triggered by ${o.name}`;
        this.out.push(diag("PB111", msg, e.span, inWhere ? undefined : `for the latest one, write last(${o.name}).${e.prop}`));
        return ERROR;
      }
    }
    const ot = this.type(o, sc);
    if (ot.base === "error") return ERROR;
    if (ot.base === "rfm") {
      const field = ({ r: "number", f: "number", m: "number", cell: "string" } as const)[e.prop as "r"];
      if (!field) {
        this.out.push(diag("PB107", `rfm has no field "${e.prop}"`, e.propSpan, suggest(e.prop, ["r", "f", "m", "cell"]) ?? "rfm has r, f, m and cell"));
        return ERROR;
      }
      return t(field, true);
    }
    if (ot.base === "event") {
      const ev = ot.event ? this.ns.events.get(ot.event) : undefined;
      return ev ? this.eventProp(e, ev, ot.nullable) : ERROR;
    }
    this.out.push(diag("PB201", `${this.what(o, ot)}; it has no field "${e.prop}"`, e.propSpan));
    return ERROR;
  }

  private eventProp(e: Extract<Expr, { kind: "member" }>, ev: EventDef, nullable: boolean): Type {
    if (e.prop === "ts") return t("datetime", nullable);
    const p = ev.props.get(e.prop);
    if (!p) {
      this.out.push(diag("PB107", `event "${ev.name}" has no prop "${e.prop}"`, e.propSpan, suggest(e.prop, [...ev.props.keys(), "ts"])));
      return ERROR;
    }
    return { ...p.type, nullable: p.type.nullable || nullable };
  }

  private agg(e: AggExpr, sc: Scope): Type {
    if (e.within) e.within.type = t("duration");
    const ev = needEvent(this.ns, e.event, e.eventSpan, this.out);
    let bad = !ev;
    if (ev && (e.fn === "sum" || e.fn === "avg" || e.fn === "min" || e.fn === "max")) {
      if (!e.prop) {
        this.out.push(diag("PB205", `${e.fn} needs a prop to add up: ${e.fn}(${e.event}.PROP)`, e.span, firstNumberProp(ev) ? `e.g. ${e.fn}(${e.event}.${firstNumberProp(ev)})` : undefined));
        bad = true;
      } else {
        const p = ev.props.get(e.prop);
        if (!p) {
          this.out.push(diag("PB107", `event "${ev.name}" has no prop "${e.prop}"`, e.propSpan ?? e.eventSpan, suggest(e.prop, ev.props.keys())));
          bad = true;
        } else if (p.type.base !== "number") {
          this.out.push(diag("PB206", `${e.fn} needs a number prop, but "${e.event}.${e.prop}" is ${typeName(p.type)}`, e.propSpan ?? e.eventSpan));
          bad = true;
        }
      }
    } else if (ev && e.prop) {
      this.out.push(diag("PB205", `${e.fn} takes events, not a prop: write ${e.fn}(${e.event})`, e.propSpan ?? e.span));
    }
    if (e.where) this.condition(e.where, ev ? { ...sc, where: [...sc.where, ev] } : sc, "a where clause");
    if (bad) return ERROR;
    switch (e.fn) {
      case "count":
      case "sum":
        return t("number");
      case "avg":
      case "min":
      case "max":
        return t("number", true);
      default:
        return { base: "event", nullable: true, event: e.event };
    }
  }
}

function firstNumberProp(ev: EventDef): string | undefined {
  for (const [n, p] of ev.props) if (p.type.base === "number") return n;
  return undefined;
}

function propNamesOf(sc: Scope): string[] {
  return [...sc.where.flatMap((w) => [...w.props.keys()]), ...(sc.trigger ? sc.trigger.props.keys() : [])];
}

function hintForCondition(ty: Type): string | undefined {
  if (ty.base === "string") return `compare it: e.g. city == "Moscow"`;
  if (ty.base === "number") return "compare it with a number: e.g. > 0";
  if (ty.base === "date" || ty.base === "datetime") return "compare it, e.g. days_since(x) > 30, or test x != null";
  if (ty.base === "event") return "test it: x != null, or use count(…) > 0";
  return undefined;
}
