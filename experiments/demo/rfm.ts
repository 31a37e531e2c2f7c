/**
 * The demo scores RFM with the engine's implementation (engine/rfm.ts,
 * language.md's definition), fitted on the world's history at its start.
 */
export { rfmScorer } from "../../engine/rfm.ts";
