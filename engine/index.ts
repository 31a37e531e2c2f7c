/**
 * The engine's public surface: what a backend, the CLI and other tools
 * import. Runtime pieces are re-exported here; the data engineer's readers
 * and features (`engine/data`, `engine/features`) join this list when they land.
 */
export { createEngine, type Engine, type EngineOptions } from "./api.ts";
export { decisionToJson, settledDecisions, isoSeconds, DECISION_STATUSES, type Decision, type DecisionStatus } from "./decision.ts";
export { buildProgram, workspaceHash, type Program } from "./runtime/program.ts";
export { decideWindow, type BatchData, type BatchResult } from "./runtime/batch.ts";
export { advance, type CustomerInput, type TimedDecision } from "./runtime/customer.ts";
export { explainCustomer, explanationOf, renderExplanation, type Explanation, type ExplainedCandidate, type ExplainedRule, type ExplainOptions } from "./runtime/explain.ts";
export { assign, growthbookHash, holdoutBucket, GLOBAL_SALT, type Assignment } from "./runtime/holdout.ts";
export { isValidTimezone, localTime, localToUtc, nextSendTime, type SendHours } from "./runtime/timezone.ts";
export { resolveTimezone, timezoneStats, type TimezoneStats } from "./runtime/customers.ts";
export { emptyState, type CustomerState, type Pending } from "./runtime/state.ts";
export { loadState, saveState, type StoredState } from "./state/store.ts";
export type { CompileFn, ExprRunner } from "./runtime/expr.ts";
export { computeSegments, segmentsOf, type SegmentsResult, type RfCell } from "./segments.ts";
export { fitRfmBounds, quantileBounds, rfmInput, rfmScorer, scoreRfm, type RfmBounds, type RfmInput } from "./rfm.ts";
