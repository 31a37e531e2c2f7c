/**
 * Runs the world through an engine, day by day and customer by customer
 * (customers never interact, so each one's whole life is simulated in turn),
 * and makes the true effects act only through the engine's actual sends:
 *
 * - a rule with effect δ > 0: each `send` gives, with probability δ, an extra
 *   order at a random time inside the attribution window after it;
 * - δ < 0: each `send` cancels, with probability |δ|, the customer's next
 *   natural order inside that window (an annoying message).
 *
 * A `ghost` draws the same random number (keyed by entry and step) but
 * changes nothing; the world only notes what *would* have happened. That
 * bookkeeping gives every entry both potential outcomes, so the true lift
 * of each rule is known exactly (`truth.ts`). Sends also produce delivery
 * feedback (delivered, opened, clicked, unsubscribed, …) so funnels fill up,
 * and feedback goes back into the engine like any event.
 */
import type { Decision } from "../../engine/decision.ts";
import type { EventRecord } from "../../language/values.ts";
import { makeCustomer, naturalDay, stream, type WorldCustomer, type WorldOptions } from "./world.ts";

const DAY = 86_400_000;

/** What the simulation needs of an engine (`createEngine` in engine/api.ts provides it). */
export interface DecideEngine {
  decide(customerId: string, event: EventRecord | null, now: number): Decision[];
}

/** An effect draw of one send or ghost, for the truth. */
export interface EffectDraw {
  rule: string;
  entryId: string;
  customer: string;
  status: "send" | "ghost";
  kind: "extra" | "cancel";
  /** Time of the extra order, or of the order (actually or counterfactually) cancelled; null when nothing was in reach. */
  orderTs: number | null;
}

/** One order of the final history, annotated for the truth. */
export interface OrderNote {
  customer: string;
  ts: number;
  /** Entry whose send created it (extra orders). */
  causedBy: string | null;
  /** Entry whose send cancelled it (it is not in the events). */
  cancelledBy: string | null;
}

/** Everything a simulation produced. */
export interface SimResult {
  customers: WorldCustomer[];
  /** Events of every customer (history and simulated), in time order per customer. */
  events: { customer_id: string; event: EventRecord }[];
  decisions: Decision[];
  draws: EffectDraw[];
  orders: OrderNote[];
}

/** Feedback rates per channel: delivered, opened (of delivered), clicked (of delivered), unsubscribed, complained, bounced. */
const FEEDBACK: Record<string, [number, number, number, number, number, number]> = {
  email: [0.97, 0.22, 0.03, 0.003, 0.0005, 0.02],
  push: [0.9, 0, 0.05, 0, 0, 0],
  sms: [0.99, 0, 0.02, 0.002, 0.001, 0.01],
  telegram: [0.98, 0.5, 0.06, 0.002, 0, 0],
};

function feedbackFor(seed: string, d: Decision, at: number): EventRecord[] {
  const rng = stream(seed, `feedback/${d.entry_id}/${d.step}`);
  const r = FEEDBACK[d.channel ?? ""] ?? [0.95, 0, 0, 0, 0, 0];
  const props = { rule: d.rule, step: d.step, channel: d.channel };
  const out: EventRecord[] = [];
  if (rng() < r[5]) return [{ name: "message_bounced", ts: at + 60_000, props: { ...props, hard: rng() < 0.5 } }];
  if (rng() >= r[0]) return out;
  out.push({ name: "message_delivered", ts: at + 60_000, props });
  if (rng() < r[1]) out.push({ name: "message_opened", ts: at + 1_800_000, props });
  if (rng() < r[2]) out.push({ name: "message_clicked", ts: at + 2_400_000, props });
  if (rng() < r[3]) out.push({ name: "message_unsubscribed", ts: at + 3_000_000, props });
  if (rng() < r[4]) out.push({ name: "message_complained", ts: at + 3_600_000, props });
  return out;
}

/**
 * What a customer's history hands on to the simulated days: the events it
 * drew that fall after the start (deliveries of late orders) and the recently
 * viewed products (for back-in-stock notices).
 */
export interface Carry {
  pending: EventRecord[];
  views: Map<string, number>;
}

/** The history days of one customer, drawn once: events before the start and what carries over. */
function historyOf(o: WorldOptions, c: WorldCustomer): { events: EventRecord[]; carry: Carry } {
  const views = new Map<string, number>();
  const events: EventRecord[] = [];
  const pending: EventRecord[] = [];
  for (let d = -o.historyDays; d < 0; d++) for (const e of naturalDay(o, c, d, views)) (e.ts < o.start ? events : pending).push(e);
  return { events: events.sort((a, b) => a.ts - b.ts), carry: { pending, views } };
}

/**
 * History before the start (given to the engine up front), for every
 * customer, and what each history carries into the simulated days (pass it
 * to `simulate` so the history is not drawn a second time).
 */
export function worldHistory(o: WorldOptions): { customers: WorldCustomer[]; history: Map<string, EventRecord[]>; carry: Map<string, Carry> } {
  const customers: WorldCustomer[] = [];
  const history = new Map<string, EventRecord[]>();
  const carry = new Map<string, Carry>();
  for (let i = 0; i < o.customers; i++) {
    const c = makeCustomer(o, i);
    customers.push(c);
    const h = historyOf(o, c);
    history.set(c.id, h.events);
    carry.set(c.id, h.carry);
  }
  return { customers, history, carry };
}

/**
 * Simulates `o.days` days for every customer through `engine` (already built
 * with the customers' attributes and `history`). `effects`: rule → δ.
 * `carry` (from `worldHistory`) saves drawing each history again; without it
 * the history is redrawn, with the same result. `onProgress` is told before
 * each customer how many are done (the CLI's bar).
 */
export function simulate(
  o: WorldOptions, customers: WorldCustomer[], history: Map<string, EventRecord[]>, engine: DecideEngine,
  effects: Record<string, number>, attribution: number, carry?: Map<string, Carry>,
  onProgress?: (done: number, total: number) => void,
): SimResult {
  const res: SimResult = { customers, events: [], decisions: [], draws: [], orders: [] };
  const end = o.start + o.days * DAY;
  let done = 0;
  for (const c of customers) {
    onProgress?.(done++, customers.length);
    const hist = history.get(c.id) ?? [];
    for (const e of hist) {
      res.events.push({ customer_id: c.id, event: e });
      if (e.name === "order_placed") res.orders.push({ customer: c.id, ts: e.ts, causedBy: null, cancelledBy: null });
    }
    // Deliveries of history orders may fall after the start.
    const carried = carry?.get(c.id) ?? historyOf(o, c).carry;
    // Copies: the days below change both, and a carry may be simulated again.
    const pending = [...carried.pending];
    const views = new Map(carried.views);
    // This customer's draws begin here: an owed cancellation looks for its draw among them only.
    const firstDraw = res.draws.length;
    /** Cancellations owed by sends: [from, until, entry id], each taking the first natural order in its window. */
    const cancels: [number, number, string][] = [];
    /** Counterfactual cancellations of ghosts: each notes the first natural order in its window; they never block real ones. */
    const wouldCancel: [number, number, EffectDraw][] = [];
    const onDecisions = (ds: Decision[]) => {
      for (const d of ds) {
        res.decisions.push(d);
        if (d.status !== "send" && d.status !== "ghost") continue;
        const at = d.send_at ? Date.parse(d.send_at) : Date.parse(d.entered_at);
        if (d.status === "send") pending.push(...feedbackFor(o.seed, d, at));
        const delta = effects[d.rule] ?? 0;
        if (delta === 0) continue;
        const rng = stream(o.seed, `effect/${d.entry_id}/${d.step}`);
        if (rng() >= Math.abs(delta)) continue;
        const draw: EffectDraw = { rule: d.rule, entryId: d.entry_id, customer: c.id, status: d.status, kind: delta > 0 ? "extra" : "cancel", orderTs: null };
        res.draws.push(draw);
        if (delta > 0) {
          draw.orderTs = at + 60_000 + Math.floor(rng() * (attribution - 120_000));
          if (d.status === "send") {
            const id = `${c.id}-x-${res.orders.length}`;
            pending.push({ name: "order_placed", ts: draw.orderTs, props: { order_id: id, amount: Math.round(c.traits.value * (0.7 + 0.6 * rng())) } });
            res.orders.push({ customer: c.id, ts: draw.orderTs, causedBy: d.entry_id, cancelledBy: null });
          }
        } else if (d.status === "send") cancels.push([at, at + attribution, d.entry_id]);
        else wouldCancel.push([at, at + attribution, draw]);
      }
    };
    onDecisions(engine.decide(c.id, null, o.start));
    for (let day = 0; day < o.days; day++) {
      const dayEnd = o.start + (day + 1) * DAY;
      // Today's natural events and whatever fell due from earlier days; later ones (deliveries) wait.
      const all = [...naturalDay(o, c, day, views), ...pending.splice(0)];
      const today = all.filter((e) => e.ts < dayEnd).sort((a, b) => a.ts - b.ts);
      pending.push(...all.filter((e) => e.ts >= dayEnd));
      for (const e of today) {
        const natural = e.name === "order_placed" && !String(e.props.order_id).includes("-x-");
        if (natural) {
          for (let k = wouldCancel.length - 1; k >= 0; k--) {
            const [from, until, draw] = wouldCancel[k]!;
            if (e.ts > from && e.ts <= until) {
              draw.orderTs = e.ts;
              wouldCancel.splice(k, 1);
            }
          }
          // An owed cancellation takes the first natural order in its window.
          const k = cancels.findIndex(([from, until]) => e.ts > from && e.ts <= until);
          if (k >= 0) {
            const [, , entry] = cancels.splice(k, 1)[0]!;
            res.orders.push({ customer: c.id, ts: e.ts, causedBy: null, cancelledBy: entry });
            const draw = res.draws.slice(firstDraw).find((x) => x.entryId === entry && x.kind === "cancel" && x.status === "send" && x.orderTs === null);
            if (draw) draw.orderTs = e.ts;
            continue;
          }
          res.orders.push({ customer: c.id, ts: e.ts, causedBy: null, cancelledBy: null });
        }
        res.events.push({ customer_id: c.id, event: e });
        onDecisions(engine.decide(c.id, e, e.ts));
      }
      for (let i = cancels.length - 1; i >= 0; i--) if (cancels[i]![1] < dayEnd) cancels.splice(i, 1);
      for (let i = wouldCancel.length - 1; i >= 0; i--) if (wouldCancel[i]![1] < dayEnd) wouldCancel.splice(i, 1);
      onDecisions(engine.decide(c.id, null, Math.min(dayEnd, end) - 1000));
    }
  }
  onProgress?.(customers.length, customers.length);
  return res;
}
