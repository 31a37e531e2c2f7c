import type { CodeInfo } from "./codes.ts";

/**
 * Codes of resolution (PB1xx), type checking (PB2xx) and lints (PB3xx).
 * Severity policy (see docs/checking.md): an error is a playbook whose
 * meaning is undefined or certainly not what was meant (an unknown name, a type
 * clash, a rule that can never reach anyone, an impossible setting); a warning is
 * a well-defined program that is probably a mistake or leaves value on the table
 * (dead segments, a field that may be empty, a cadence that its own caps will trim).
 */
export const SEMANTIC_CODES: CodeInfo[] = [
  // ── names ──
  { code: "PB101", name: "unknown-name", severity: "error", doc: "An expression uses a name that is not an attribute, segment, event or prop in scope; the hint suggests the closest one." },
  { code: "PB102", name: "unknown-event", severity: "error", doc: "A trigger, aggregate, cap, exit, goal or rfm setting names an event that is not in schema.events." },
  { code: "PB103", name: "unknown-segment", severity: "error", doc: "`enter`/`leave` names a segment that is not defined under segments." },
  { code: "PB104", name: "unknown-attribute", severity: "error", doc: "A trigger or a template's fields names a customer attribute that is not in schema.customer." },
  { code: "PB105", name: "unknown-channel", severity: "error", doc: "A step or a cap names a channel that is not defined under channels." },
  { code: "PB106", name: "unknown-template", severity: "error", doc: "A step names a template that is not defined under templates." },
  { code: "PB107", name: "unknown-prop", severity: "error", doc: "`EVENT.prop`, an aggregate or rfm.value names a prop the event does not have." },
  { code: "PB108", name: "reserved-name", severity: "error", doc: "A segment, event or attribute takes a built-in name (`rfm`, or `customer_id` for anything but the attribute); rename it. (A name defined twice is PB006.)" },
  { code: "PB109", name: "segment-cycle", severity: "error", doc: "Segments refer to each other in a loop, so none of them has a meaning; the message shows the loop." },
  { code: "PB110", name: "unknown-function", severity: "error", doc: "A call to a function the language does not have; the hint suggests the closest one." },
  { code: "PB111", name: "name-out-of-scope", severity: "error", doc: "A name exists but cannot be used here (a trigger prop outside an event-triggered rule, a prop in a segment, `previous` outside a call)." },
  // ── types ──
  { code: "PB201", name: "type-mismatch", severity: "error", doc: "An operator or function gets a value of the wrong type (e.g. a string compared with a number); the message says which operand is what." },
  { code: "PB202", name: "not-a-condition", severity: "error", doc: "who, unless, if, requires, suppress, a segment or a where clause must be true/false, and this expression is not." },
  { code: "PB203", name: "bad-trigger-attribute", severity: "error", doc: "`before`/`anniversary of` needs a date or datetime attribute." },
  { code: "PB204", name: "previous-outside-step", severity: "error", doc: "delivered/opened/clicked(previous) is only meaningful in the if/unless of the second or later step of a cadence." },
  { code: "PB205", name: "wrong-arguments", severity: "error", doc: "A function got the wrong number or kind of arguments." },
  { code: "PB206", name: "bad-prop-type", severity: "error", doc: "sum/avg/min/max and rfm.value need a number prop." },
  // ── lints ──
  { code: "PB301", name: "unused-segment", severity: "warning", doc: "A segment no rule, segment, channel or suppress uses; delete it or use it." },
  { code: "PB302", name: "unused-template", severity: "warning", doc: "A template no step sends; delete it or use it." },
  { code: "PB303", name: "nullable-template-field", severity: "warning", doc: "A template field may be null for the rule's audience, so some messages end as missing_field; add `FIELD != null` to who or the step's if." },
  { code: "PB304", name: "never-holds", severity: "error", doc: "A who, trigger filter (`on: EVENT where …`), step if or segment can never be true: its bounds on one attribute, aggregate or rfm field contradict each other." },
  { code: "PB305", name: "cadence-breaks-cap", severity: "warning", doc: "A cadence's own steps break a cap (closer than a gap, or more steps in a window than a rule/channel/global max allows), so later steps will be capped." },
  { code: "PB306", name: "channel-without-requires", severity: "warning", doc: "A channel without `requires` is tried for every customer, with or without consent or address; say what it needs." },
  { code: "PB307", name: "holdout-out-of-range", severity: "warning", doc: "A holdout above 50% withholds messages from most of the audience; experiments rarely need more than 50%." },
  { code: "PB308", name: "holdout-invalid", severity: "error", doc: "A holdout must be between 0% and 100%." },
  { code: "PB309", name: "priority-out-of-range", severity: "error", doc: "priority must be a number from 0 to 100." },
  { code: "PB311", name: "holdout-too-small", severity: "warning", doc: "A holdout above 0% and below 1% holds out too few customers to measure anything (often 10% written as 0.1%); write 5–20%, or 0% for none." },
  { code: "PB312", name: "overnight-send-hours", severity: "warning", doc: "send_hours whose end is before its start (`21:00-09:00`) is a window across midnight: messages go out at night. Swap the times for daytime." },
  { code: "PB313", name: "priority-tie", severity: "warning", doc: "Two rules with the same priority draw on one cap (a global cap, a gap, a cap of a channel both use, or the topic cap of a topic both use): the rule ids decide which goes first. Give one a higher priority." },
  { code: "PB314", name: "expires-before-queue", severity: "warning", doc: "A rule's own expires is shorter than its queue or its cadence's total delay: expires bounds every step from the trigger, so the queue is cut short or later steps always expire." },
  { code: "PB310", name: "unreachable-step", severity: "warning", doc: "A step's if can never be true, so the cadence never sends it." },
];
