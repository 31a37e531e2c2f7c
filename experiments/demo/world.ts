/**
 * The synthetic shop of `playbook demo`: customers with latent traits
 * (propensity to buy, basket value, app habit, cart habit) and the natural
 * events those traits produce day by day — app opens, product views, carts,
 * orders and deliveries, back-in-stock notices, sign-ups — in the schema of
 * the example workspace (`playbooks/shop`). Everything is drawn from
 * seedrandom streams keyed by (seed, customer), so a customer's life does
 * not depend on how many others there are or in which order they are run.
 */
import seedrandom from "seedrandom";
import type { EventRecord, Value } from "../../language/values.ts";

const DAY = 86_400_000;

/** Latent traits that drive a customer's natural behaviour. */
export interface Traits {
  /** Expected orders per day. */
  orderRate: number;
  /** Mean order amount. */
  value: number;
  appRate: number;
  cartRate: number;
  viewRate: number;
  /** The day (from the world's start, may be negative) the customer signs up. */
  signupDay: number;
  /** From this day on the customer lapses (buys, opens the app and fills carts a tenth as often): at-risk and hibernating customers. */
  lapseDay: number;
}

/** One synthetic customer. */
export interface WorldCustomer {
  id: string;
  attrs: Record<string, Value>;
  traits: Traits;
}

/** Shape of a world. */
export interface WorldOptions {
  customers: number;
  /** Days simulated after `start`. */
  days: number;
  seed: string;
  /** epoch ms of the first simulated day (UTC midnight). */
  start: number;
  /** Days of history generated before `start` (RFM, segments, inactivity, CUPED's pre-period). */
  historyDays: number;
}

const TIMEZONES = ["Europe/Moscow", "Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", null];
const NAMES = ["Anna", "Ivan", "Olga", "Pavel", "Maria", "Sergey", "Elena", "Dmitry", null];
const CATEGORIES = ["shoes", "coats", "bags", "hats"];
const PRODUCTS = 40;
/**
 * Product views are kept for this many days before the start, as a shop's
 * clickstream export often is: no rule reads older ones (restock_alert looks
 * back 30 days), and views were most of the history's rows — the rows every
 * step of the demo writes, reads and joins. They are still drawn, so every
 * other draw is the same as with the whole history.
 */
export const VIEWS_KEPT_DAYS = 31;

/**
 * The seeded random stream of one customer (or any other keyed part of the
 * world). seedrandom's `tychei` (Neves & Araujo's ChaCha-derived generator)
 * rather than its default ARC4: the world opens one stream per customer and
 * day, and ARC4's 256-byte key schedule made opening them most of the demo's
 * time (10 µs against 2.4 µs per stream and ten draws, measured); tychei's
 * period (~2¹²⁷) and quality are far beyond what a synthetic shop needs.
 */
export function stream(seed: string, key: string): () => number {
  return seedrandom.tychei(`${seed}/${key}`);
}

/** A Poisson draw (Knuth; rates here are small). */
export function poisson(rng: () => number, rate: number): number {
  const l = Math.exp(-rate);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/** Customer `i` of the world: attributes in the shop schema plus latent traits. */
export function makeCustomer(o: WorldOptions, i: number): WorldCustomer {
  const rng = stream(o.seed, `customer-${i}`);
  const id = `d${String(i + 1).padStart(6, "0")}`;
  const orderRate = Math.min(0.2, Math.max(0.003, Math.exp(Math.log(0.025) + 0.8 * normal(rng))));
  const traits: Traits = {
    orderRate,
    value: Math.exp(Math.log(2500) + 0.5 * normal(rng)),
    appRate: rng() < 0.3 ? 0.02 : 0.4 * rng(),
    cartRate: orderRate * (1 + 3 * rng()),
    viewRate: 0.2 + 1.5 * rng(),
    signupDay: rng() < 0.05 ? Math.floor(rng() * o.days) : -Math.floor(30 + rng() * 700),
    lapseDay: rng() < 0.3 ? Math.floor(-o.historyDays + rng() * (o.historyDays + o.days)) : Infinity,
  };
  const consentEmail = rng() < 0.8;
  const birthYear = 1960 + Math.floor(rng() * 45);
  const birthday = rng() < 0.85 ? Date.UTC(birthYear, Math.floor(rng() * 12), 1 + Math.floor(rng() * 28)) : null;
  const subscription = rng() < 0.2 ? o.start + Math.floor(rng() * (o.days + 10)) * DAY + 12 * 3_600_000 : null;
  const phone = rng() < 0.7 ? `+7900${String(i).padStart(7, "0")}` : null;
  const consentTelegram = rng() < 0.2;
  const attrs: Record<string, Value> = {
    customer_id: id,
    first_name: pick(rng, NAMES),
    email: consentEmail || rng() < 0.5 ? `${id}@example.com` : null,
    phone,
    telegram_id: consentTelegram ? `tg${i}` : null,
    birthday,
    registered_at: o.start + traits.signupDay * DAY + Math.floor(rng() * DAY),
    subscription_ends_at: subscription,
    timezone: pick(rng, TIMEZONES),
    city: pick(rng, ["Moscow", "Kazan", "Ekaterinburg", "Novosibirsk"]),
    consent_email: consentEmail,
    consent_sms: phone !== null && rng() < 0.3,
    consent_push: rng() < 0.6,
    consent_telegram: consentTelegram,
    is_employee: rng() < 0.01,
  };
  return { id, attrs, traits };
}

/**
 * The customer's natural events of day `d` (relative to the world's start;
 * negative for history), sorted by time. `lastViews` carries recently viewed
 * products between days (for back-in-stock notices).
 */
export function naturalDay(o: WorldOptions, c: WorldCustomer, d: number, lastViews: Map<string, number>): EventRecord[] {
  if (d < c.traits.signupDay) return [];
  const rng = stream(o.seed, `${c.id}/day${d}`);
  const day0 = o.start + d * DAY;
  const at = () => day0 + Math.floor(rng() * DAY / 1000) * 1000;
  const out: EventRecord[] = [];
  const t = d >= c.traits.lapseDay ? { ...c.traits, orderRate: c.traits.orderRate * 0.1, appRate: c.traits.appRate * 0.1, cartRate: c.traits.cartRate * 0.1 } : c.traits;
  if (d === c.traits.signupDay) out.push({ name: "signed_up", ts: c.attrs.registered_at as number, props: {} });
  for (let k = poisson(rng, t.appRate); k > 0; k--) out.push({ name: "app_open", ts: at(), props: {} });
  for (let k = poisson(rng, c.traits.viewRate); k > 0; k--) {
    const p = Math.floor(rng() * PRODUCTS);
    const ts = at();
    if (d >= -VIEWS_KEPT_DAYS) out.push({ name: "product_viewed", ts, props: { product_id: `p${p}`, category: CATEGORIES[p % CATEGORIES.length]! } });
    lastViews.set(`p${p}`, ts);
  }
  for (let k = poisson(rng, t.cartRate); k > 0; k--) {
    out.push({ name: "cart_abandoned", ts: at(), props: { cart_value: Math.round(c.traits.value * (0.3 + 1.2 * rng())) } });
  }
  for (let k = poisson(rng, t.orderRate); k > 0; k--) {
    const ts = at();
    const id = `${c.id}-${d}-${k}`;
    out.push({ name: "order_placed", ts, props: { order_id: id, amount: Math.round(c.traits.value * Math.exp(0.3 * normal(rng))) } });
    out.push({ name: "order_delivered", ts: ts + (2 + Math.floor(rng() * 3)) * DAY, props: { order_id: id } });
  }
  for (const [p, ts] of lastViews) {
    if (day0 - ts > 30 * DAY) lastViews.delete(p);
    else if (rng() < 0.01) out.push({ name: "back_in_stock", ts: at(), props: { product_id: p } });
  }
  return out.sort((a, b) => a.ts - b.ts);
}
