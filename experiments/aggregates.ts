/**
 * What the statistics need from the data, and nothing more: per rule, the
 * sufficient statistics of each group (overall and per day of entry), the
 * sends by channel, the offer cost, and the funnel counts. Two producers fill
 * it — `aggregate-memory.ts` (in-process arrays: tests, the demo, the library)
 * and `sql/aggregate.ts` (DuckDB over the files: the command, at scale) — and
 * `report.ts` turns it into the report, so both paths share every formula.
 */
import { emptyMoments, type CappedRevenue, type Moments } from "./stats/index.ts";

/** A group's two metrics: conversion (0/1) and revenue, each with its pre-period covariate. */
export interface Group {
  conv: Moments;
  rev: Moments;
}

/** Counts of one step × channel: sends, and messages with each feedback kind (delivered, opened, clicked, unsubscribed, complained, bounced). */
export interface FunnelCounts {
  sent: number;
  kinds: [number, number, number, number, number, number];
}

/** Everything about one rule (or the global-holdout line). */
export interface RuleAggregate {
  rule: string;
  hold: Group;
  treat: Group;
  /** UTC day number → [holdout, treatment] conversion moments of the entries of that day. */
  byDay: Map<number, [Moments, Moments]>;
  /** Earliest entry (ms); Infinity when none. */
  firstAt: number;
  sendsByChannel: Map<string, number>;
  /** Offer costs of treated conversions whose entry was sent the offer. */
  offerCost: number;
  /** step → channel → counts. */
  funnel: Map<number, Map<string, FunnelCounts>>;
  /** Revenue capped at the pooled percentile of `ReportConfig.revenueCap` (and its covariate at the same cap); null with `--cap none` or no entries. */
  revCap?: CappedRevenue | null;
}

/** The aggregates of a whole report. */
export interface Aggregates {
  rules: Map<string, RuleAggregate>;
  global: RuleAggregate | null;
  /** Channel → bitmask of the feedback kinds it reported anywhere in the data. */
  kindsByChannel: Map<string, number>;
  /** Earliest event in the data (ms), null when unknown: CUPED needs data covering the pre-period. */
  dataFrom: number | null;
  /** Latest entry over all rules (ms). */
  periodEnd: number;
  /** Earliest entry over all rules (ms). */
  periodStart: number;
  /** Rows read from the decision log and the events file (all of them used: the DuckDB path takes no bad row). */
  rows?: { decisions: number; events: number };
}

/** An empty group. */
export function emptyGroup(): Group {
  return { conv: emptyMoments(), rev: emptyMoments() };
}

/** An empty rule aggregate. */
export function emptyRuleAggregate(rule: string): RuleAggregate {
  return { rule, hold: emptyGroup(), treat: emptyGroup(), byDay: new Map(), firstAt: Infinity, sendsByChannel: new Map(), offerCost: 0, funnel: new Map() };
}

/** Adds moments `m` into `into`. */
export function addMoments(into: Moments, m: Moments): void {
  into.n += m.n;
  into.sum += m.sum;
  into.sumSq += m.sumSq;
  into.sumX += m.sumX;
  into.sumXSq += m.sumXSq;
  into.sumXY += m.sumXY;
}

/** The counts of a step × channel, created empty on first use. */
export function funnelCell(a: RuleAggregate, step: number, channel: string): FunnelCounts {
  let chans = a.funnel.get(step);
  if (!chans) a.funnel.set(step, (chans = new Map()));
  let c = chans.get(channel);
  if (!c) chans.set(channel, (c = { sent: 0, kinds: [0, 0, 0, 0, 0, 0] }));
  return c;
}
