/**
 * The checked program's shape: what the YAML loader and the expression parser
 * build, what the resolver and type checker annotate, and what the engine,
 * experiments and CLI read. This file is the contract between the stages;
 * change it deliberately.
 *
 * Conventions:
 * - Every node carries a `span` pointing into the YAML file it came from
 *   (1-based line and column, 0-based character offsets), so a diagnostic
 *   inside an expression points at the exact token.
 * - Times are epoch milliseconds (UTC); durations are milliseconds;
 *   percentages are fractions (`10%` → 0.1); dates are epoch ms of UTC midnight.
 * - Maps keep source order (files sorted by path, then entries in file order).
 */

/** A region of a source file. */
export interface Span {
  file: string;
  /** 0-based character offset of the first character. */
  start: number;
  /** 0-based character offset one past the last character. */
  end: number;
  /** 1-based line and column of `start`. */
  line: number;
  col: number;
  /** 1-based line and column of `end` (exclusive column). */
  endLine: number;
  endCol: number;
}

// ───────────────────────────── types ─────────────────────────────

/** Scalar type names of the language (`percent` is a number written with `%`). */
export type BaseType =
  | "string"
  | "number"
  | "bool"
  | "date"
  | "datetime"
  | "duration"
  | "null"
  | "list"
  /** An event record (from `first`/`last`, or the trigger event): `.ts` and props by name. */
  | "event"
  /** RFM scores record: `.r .f .m .cell`. */
  | "rfm"
  /** Unknown after an error; checks on it are skipped so one error is reported once. */
  | "error";

/** A type: base, nullability, element type for lists, event name for events. */
export interface Type {
  base: BaseType;
  nullable: boolean;
  elem?: Type;
  event?: string;
}

// ─────────────────────────── expressions ──────────────────────────

interface NodeBase {
  span: Span;
  /** Filled by the type checker. */
  type?: Type;
}

export interface NumberLit extends NodeBase { kind: "number"; value: number; raw: string }
export interface StringLit extends NodeBase { kind: "string"; value: string; raw: string }
export interface BoolLit extends NodeBase { kind: "bool"; value: boolean }
export interface NullLit extends NodeBase { kind: "null" }
/** `15m`, `12h`, `3d`, `2w` (also `30s`). */
export interface DurationLit extends NodeBase { kind: "duration"; ms: number; raw: string }
/** `10%` → value 0.1. */
export interface PercentLit extends NodeBase { kind: "percent"; value: number; raw: string }
/** `2026-11-20` → ms of that UTC midnight. */
export interface DateLit extends NodeBase { kind: "date"; ms: number; raw: string }
/** `2026-11-20T10:00:00Z` (no offset means UTC). */
export interface DateTimeLit extends NodeBase { kind: "datetime"; ms: number; raw: string }
export interface ListExpr extends NodeBase { kind: "list"; items: Expr[] }

/** What a bare identifier refers to; filled by the resolver. */
export type NameRef =
  | { kind: "attribute"; name: string }
  | { kind: "segment"; name: string }
  /** An event name in a boolean place: "has happened at least once". */
  | { kind: "event"; name: string }
  /** A prop of the event in scope: a `where` clause's event, or the trigger event. */
  | { kind: "prop"; event: string; prop: string; scope: "where" | "trigger" }
  /** The trigger event itself (`back_in_stock` in `back_in_stock.product_id`). */
  | { kind: "trigger_event"; event: string }
  /** The built-in `rfm` record. */
  | { kind: "rfm" }
  /** `previous` inside `delivered(previous)` etc. */
  | { kind: "previous" };

export interface NameExpr extends NodeBase { kind: "name"; name: string; ref?: NameRef }
/** `a.b`: props of events, `rfm.r`, `last(x).ts`. */
export interface MemberExpr extends NodeBase { kind: "member"; object: Expr; prop: string; propSpan: Span }

/** Plain function calls: days_since, hours_since, lower, delivered, opened, clicked, in_cadence. */
export interface CallExpr extends NodeBase { kind: "call"; fn: string; fnSpan: Span; args: Expr[] }

export type AggFn = "count" | "sum" | "avg" | "min" | "max" | "first" | "last";

/**
 * An aggregate over the customer's events: `count(order_placed within 30d)`,
 * `sum(order_placed.amount where amount > 10 within 365d)`, `last(order_placed)`.
 * `prop` is set for sum/avg/min/max (`EVENT.prop`). Inside `where`, bare names are
 * the props of `event` first.
 */
export interface AggExpr extends NodeBase {
  kind: "agg";
  fn: AggFn;
  fnSpan: Span;
  event: string;
  eventSpan: Span;
  prop?: string;
  propSpan?: Span;
  where?: Expr;
  within?: DurationLit;
}

/** An event set in a boolean place with a qualifier: `order_placed within 1h`. */
export interface ExistsExpr extends NodeBase {
  kind: "exists";
  event: string;
  eventSpan: Span;
  where?: Expr;
  within?: DurationLit;
}

export interface UnaryExpr extends NodeBase { kind: "unary"; op: "-" | "not"; operand: Expr }

export type BinaryOp =
  | "or" | "and"
  | "==" | "!=" | "<" | "<=" | ">" | ">="
  | "+" | "-" | "*" | "/"
  | "??";

export interface BinaryExpr extends NodeBase { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
/** `x in [..]`, `x not in path`. */
export interface InExpr extends NodeBase { kind: "in"; negated: boolean; left: Expr; right: Expr }
/** `x between a and b` (inclusive both ends). */
export interface BetweenExpr extends NodeBase { kind: "between"; value: Expr; low: Expr; high: Expr }

export type Expr =
  | NumberLit | StringLit | BoolLit | NullLit | DurationLit | PercentLit | DateLit | DateTimeLit
  | ListExpr | NameExpr | MemberExpr | CallExpr | AggExpr | ExistsExpr
  | UnaryExpr | BinaryExpr | InExpr | BetweenExpr;

// ──────────────────────────── triggers ────────────────────────────

export type Weekday = "monday" | "tuesday" | "wednesday" | "thursday" | "friday" | "saturday" | "sunday";

export type Trigger =
  /** `EVENT` / `EVENT where EXPR` */
  | { kind: "event"; span: Span; event: string; eventSpan: Span; where?: Expr }
  /** `DURATION after EVENT [where EXPR]` */
  | { kind: "after"; span: Span; delay: DurationLit; event: string; eventSpan: Span; where?: Expr }
  /** `DURATION before ATTRIBUTE` */
  | { kind: "before"; span: Span; lead: DurationLit; attribute: string; attributeSpan: Span }
  /** `anniversary of ATTRIBUTE` */
  | { kind: "anniversary"; span: Span; attribute: string; attributeSpan: Span }
  /** `no EVENT for DURATION` */
  | { kind: "inactivity"; span: Span; event: string; eventSpan: Span; duration: DurationLit }
  /** `enter SEGMENT` / `leave SEGMENT` */
  | { kind: "enter" | "leave"; span: Span; segment: string; segmentSpan: Span }
  /** `every DAY at HH:MM`; `minuteOfDay` = hours*60+minutes, local to the customer. */
  | { kind: "every"; span: Span; day: "day" | Weekday; time: string; minuteOfDay: number }
  /**
   * `once at DATETIME`. Written without an offset it is wall-clock time in the
   * customer's timezone (a mass campaign at 10:00 everywhere): `local` holds
   * `YYYY-MM-DDTHH:MM[:SS]` and `utcMs` is null. With `Z` or an offset, `utcMs` is the instant.
   */
  | { kind: "once"; span: Span; local: string; utcMs: number | null };

// ────────────────────────────── caps ──────────────────────────────

export type CapScope =
  | { kind: "all" }
  | { kind: "channel"; channel: string; span: Span }
  | { kind: "topic" }
  | { kind: "rule" };

export type Cap =
  | { kind: "max"; span: Span; scope: CapScope; count: number; per: DurationLit }
  | { kind: "gap"; span: Span; duration: DurationLit }
  | { kind: "pause"; span: Span; duration: DurationLit; event: string; eventSpan: Span };

// ───────────────────────────── rules ──────────────────────────────

/** A name written in YAML, with where it was written. */
export interface Named { name: string; span: Span }

export interface Offer { code: string; cost: number; span: Span }

export interface Step {
  /** 1-based. */
  index: number;
  span: Span;
  /** Delay from the trigger (first step) or from the previous step; 0 when absent. */
  after: DurationLit | null;
  if?: Expr;
  unless?: Expr;
  /** Fallback cascade, in order. Empty only after an error. */
  channels: Named[];
  template?: Named;
  /** Defaults to the rule id. */
  topic: string;
  topicSpan?: Span;
  offer?: Offer;
  /**
   * In-step `variants:` (content only, issue 18): alternative templates, one per arm, weights
   * as fractions summing to 1. `template` is then the first arm's, so readers that know no
   * variants see a valid step.
   */
  variants?: ContentArm[];
}

/** One arm of a step's content `variants:`. */
export interface ContentArm { name: string; span: Span; weight: number; template: Named }

/** One arm of a rule's `variants:`: an alternative journey (`send:` or `steps:`) with its weight. */
export interface RuleArm { name: string; span: Span; weight: number; steps: Step[]; isCadence: boolean }

/** One element of `exit:`. */
export interface ExitEvent { event: string; eventSpan: Span; where?: Expr; span: Span }

export interface Rule {
  id: string;
  /** The rule id's key in YAML. */
  span: Span;
  on: Trigger;
  who?: Expr;
  unless?: Expr;
  /** 0..100, default 50. */
  priority: number;
  /** Cadences only; default true. */
  exclusive: boolean;
  /** ms a blocked or capped message may wait; default 0. */
  queue: number;
  /** ms; null means "from defaults". */
  expires: number | null;
  /** null means "from defaults"; [] means `none`. */
  exit: ExitEvent[] | null;
  /** Fraction; null means "from defaults". */
  holdout: number | null;
  /** Defaults to the rule id. */
  salt: string;
  /** `send:` gives one step; `steps:` gives a cadence. With `variants:`, the first arm's steps. */
  steps: Step[];
  /**
   * `variants:` (issue 18): the arms, alternative journeys in declaration order, weights as
   * fractions summing to 1. Absent for a rule without variants.
   */
  arms?: RuleArm[];
  /**
   * `holdout_group: NAME` (issue 18 §5): the holdout is shared by every rule of the group
   * (salt `group:NAME`, one share checked equal across the family).
   */
  holdoutGroup?: string;
  isCadence: boolean;
  /**
   * `include_current: true` (only on `enter SEGMENT`): where no earlier run remembers the
   * customer's membership, a customer already in the segment enters it (language.md
   * "Semantics notes"). Absent means false.
   */
  includeCurrent?: boolean;
  /** Spans of individual fields, for diagnostics (`priority`, `holdout`, …). */
  fieldSpans: Record<string, Span>;
}

// ─────────────────────────── sections ─────────────────────────────

export interface AttributeDef { name: string; type: Type; span: Span }
export interface EventDef { name: string; props: Map<string, AttributeDef>; span: Span; builtin: boolean }

export interface Schema {
  customer: Map<string, AttributeDef>;
  events: Map<string, EventDef>;
}

export interface Defaults {
  timezone: string;
  /** Minutes after local midnight; `to` exclusive. Default 0..1440 (any time). */
  sendHours: { from: number; to: number } | null;
  holdout: number;
  globalHoldout: number;
  /** ms */
  attribution: number;
  goal: string | null;
  exit: ExitEvent[];
  /** ms */
  expires: number;
  spans: Record<string, Span>;
}

export interface Channel { name: string; span: Span; requires?: Expr; cost: number }

export interface Template { name: string; span: Span; fields: Named[] }

export interface Segment {
  name: string;
  span: Span;
  expr: Expr;
  /** The JSON Logic it was imported from, when written as `{ jsonlogic: … }`. */
  jsonlogic?: unknown;
}

export interface RfmConfig {
  span: Span;
  event: string;
  value: string;
  /** ms */
  window: number;
  scores: 3 | 5;
  /** Ascending bounds, `scores - 1` of each, when given. Recency in ms. */
  recency?: number[];
  frequency?: number[];
  monetary?: number[];
}

export interface Alerts {
  openRateBelow?: number;
  ctrBelow?: number;
  unsubscribeAbove?: number;
  complaintAbove?: number;
}

/** One YAML file of the workspace, kept for formatting and diagnostics. */
export interface SourceFile {
  /** The path diagnostics show (as typed, or relative to the working folder). */
  path: string;
  text: string;
  /**
   * The path inside the workspace folder, `/`-separated (`lifecycle.yaml`,
   * `shop/policy.yaml`): what the log's `playbook` hash covers, so the hash is
   * the same from whichever folder a command is run. Absent for in-memory files.
   */
  name?: string;
}

/** Where a database keeps the contract's two tables (language.md "source"). */
export interface SourceConfig {
  span?: Span;
  customers: string;
  events: string;
  customer_id: string;
  event: string;
  ts: string;
}

export const SOURCE_DEFAULTS: SourceConfig = { customers: "customers", events: "events", customer_id: "customer_id", event: "event", ts: "ts" };

/** A whole workspace: all files form one program. */
export interface Workspace {
  root: string;
  files: SourceFile[];
  schema: Schema;
  defaults: Defaults;
  channels: Map<string, Channel>;
  caps: Cap[];
  suppress?: Expr;
  rfm?: RfmConfig;
  /** `source:`: table and column names when `--data` is a database (defaults in `SOURCE_DEFAULTS`). */
  source?: SourceConfig;
  templates: Map<string, Template>;
  segments: Map<string, Segment>;
  rules: Map<string, Rule>;
  alerts: Alerts;
}

/** Delivery-feedback events that are always in the schema (contract.md). */
export const FEEDBACK_EVENTS = [
  "message_delivered",
  "message_opened",
  "message_clicked",
  "message_unsubscribed",
  "message_complained",
  "message_bounced",
] as const;
