/**
 * The diff's result, one object for every output format (`--format json`
 * prints it as is, so its field order is part of the contract for bots).
 */
import type { Change } from "./compare.ts";
import type { Note } from "./notes.ts";

/** A customer on whom the old and the new form of an expression disagree. */
export interface Witness {
  kind: Change["kind"];
  name: string;
  field: string;
  /** "data": a real customer of --data; "synthesized": built from the expressions' constants. */
  source: "data" | "synthesized";
  customer_id: string | null;
  /** The attributes the expressions read (others omitted), and synthesized events as `name@ago`. */
  customer: Record<string, unknown>;
  events: { event: string; ago: string; ts: string; props: Record<string, unknown> }[];
  /** The RFM scores the witness has, when the expressions read them (null: not scored). */
  rfm?: { r: number; f: number; m: number; cell: string } | null;
  /** `in_cadence` and the previous step's `delivered`/`opened`/`clicked`, when the expressions read them. */
  flags?: Record<string, boolean>;
  /** For a changed trigger condition: the trigger event the customer got. */
  trigger?: { event: string; ts: string; props: Record<string, unknown> };
  before: unknown;
  after: unknown;
}

/** A changed expression for which no witness was found, and why. */
export interface NoWitness { kind: Change["kind"]; name: string; field: string; why: string }

/** Customers entering and leaving one audience. */
export interface AudienceDelta {
  kind: "segment" | "rule";
  name: string;
  before: number | null;
  after: number | null;
  entering: number;
  leaving: number;
  /** For a rule started by an event: "triggered" (who it fired for in the days replayed), not who qualifies at the instant. */
  basis?: "triggered";
  /** A few ids of each, for spot checks. */
  entering_sample: string[];
  leaving_sample: string[];
}

/** Projected sends per day by channel, and how often caps stop a message, before and after. */
export interface MessageProjection {
  days: number;
  per_day: { channel: string; before: number; after: number }[];
  capped: { reason: string; before: number; after: number }[];
}

/** What the data says about the change (`--data D --at TIME`). */
export interface Impact {
  at: string;
  customers: number;
  audiences: AudienceDelta[];
  messages: MessageProjection | null;
  /** What could not be computed, and why. */
  missing: string[];
}

/** Everything `playbook diff` found. */
export interface DiffResult {
  base: { name: string; sha: string | null };
  head: { name: string; sha: string | null };
  dir: string;
  changes: Change[];
  notes: Note[];
  witnesses: Witness[];
  no_witness: NoWitness[];
  impact: Impact | null;
  /** Things the diff could not do in this build or with these inputs. */
  warnings: string[];
}
