/**
 * Holdout assignment for the report and the demo: the engine's hash
 * (contract.md, "Holdout assignment"), re-exported so experiments/ and the
 * engine can never disagree on who was held out.
 */
export { fnv1a32, holdoutBucket, isHeldOut, GLOBAL_SALT } from "../engine/runtime/holdout-hash.ts";
