import type { CodeInfo } from "./codes.ts";

/** Codes of test files (`*.test.yaml`, PB6xx): mistakes in a case, found by `check` and `test` before anything runs. */
export const TEST_CODES: CodeInfo[] = [
  { code: "PB601", name: "test-unknown-rule", severity: "error", doc: "An `expect:`/`expect_none:` line names a rule the workspace does not have; the hint suggests the closest one." },
  { code: "PB602", name: "test-unknown-attribute", severity: "error", doc: "A customer in `given.customers` (or `defaults.customer`) sets an attribute that is not in schema.customer." },
  { code: "PB603", name: "test-bad-status", severity: "error", doc: "An expectation's `status` is not one a decision line can have (send, ghost, capped, deferred, suppressed, no_channel, missing_field, expired, exited, blocked)." },
  { code: "PB604", name: "test-bad-time", severity: "error", doc: "A time of a case (`at`, `from`, `to`, an event's or a message's `ts`, `send_at`) is not an ISO 8601 instant, or the window is missing, doubled (`at` with `from`/`to`) or empty (`to` not after `from`)." },
  { code: "PB605", name: "test-unknown-customer", severity: "error", doc: "An event, message, expectation or segment assertion names a customer the case does not give, or leaves the customer out where the case gives more than one." },
  { code: "PB606", name: "test-unknown-event", severity: "error", doc: "A given event is not in schema.events, or carries a prop its event does not have." },
  { code: "PB607", name: "test-unknown-field", severity: "error", doc: "An expectation matches on a key decision lines do not have (e.g. `arm`: the line's field is `variant`); allowed: customer, rule, step, status, channel, template, topic, send_at, reason, variant." },
  { code: "PB608", name: "test-unknown-name", severity: "error", doc: "An expectation's channel or template, a given message's channel, or a `segments:` assertion names something the workspace does not define." },
  { code: "PB609", name: "test-bad-value", severity: "error", doc: "A value of the wrong type: an attribute or prop whose schema type it does not fit, a step that is not a positive whole number, a variant other than treatment/holdout, a segment membership other than true/false." },
  { code: "PB610", name: "test-missing-attribute", severity: "error", doc: "A given customer leaves out an attribute schema.customer declares non-nullable (bool attributes default to false); set it on the customer or in `defaults.customer`." },
];
