/**
 * Shared by the run/simulate/explain CLI tests: a small hand-made data
 * folder for the example shop workspace (playbooks/shop), and whether the
 * language front end is in the tree (the commands need it to read YAML).
 */
import { afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The repository root. */
export const ROOT = join(import.meta.dirname, "..", "..");
/** The example workspace. */
export const SHOP = join(ROOT, "playbooks", "shop");
/** True when language/index.ts (loadWorkspace) exists. */
export const HAS_FRONT_END = existsSync(join(ROOT, "language", "index.ts"));

const HEAD = "customer_id,first_name,email,phone,telegram_id,birthday,registered_at,subscription_ends_at,timezone,city,consent_email,consent_sms,consent_push,consent_telegram,is_employee";

/** Writes customers.csv and events.csv for a few shop customers into a fresh folder. */
export function shopData(extraEvents: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "pb-cli-"));
  writeFileSync(join(dir, "customers.csv"), [
    HEAD,
    "c1,Anna,anna@example.com,+7900,,1990-11-20,2025-01-01T00:00:00Z,,Europe/Moscow,Moscow,true,false,true,false,false",
    "c2,,bob@example.com,,tg2,,2025-01-01T00:00:00Z,2026-11-24T12:00:00Z,Asia/Tokyo,Tokyo,true,false,false,true,false",
    "c3,Cy,,,,,2025-01-01T00:00:00Z,,,Paris,false,false,false,false,false",
    "c4,Dee,dee@example.com,,,,2025-01-01T00:00:00Z,,Mars/Base,Rome,true,false,true,false,true",
    "c5,Eve,eve@example.com,,,,2025-01-01T00:00:00Z,,Europe/Berlin,Berlin,true,false,true,false,false",
  ].join("\n") + "\n");
  writeFileSync(join(dir, "events.csv"), [
    "customer_id,event,ts,order_id,amount,cart_value,product_id,category,rule,step,channel,hard",
    "c1,signed_up,2026-11-19T08:00:00Z,,,,,,,,,",
    "c1,cart_abandoned,2026-11-19T12:00:00Z,,,1500,,,,,,",
    "c2,signed_up,2026-11-19T23:30:00Z,,,,,,,,,",
    "c3,signed_up,2026-11-19T10:00:00Z,,,,,,,,,",
    "c4,signed_up,2026-11-19T10:00:00Z,,,,,,,,,",
    "c5,product_viewed,2026-11-10T10:00:00Z,,,,p1,shoes,,,,",
    "c5,back_in_stock,2026-11-19T15:00:00Z,,,,p1,,,,,",
    "c5,message_unsubscribed,2026-11-19T14:00:00Z,,,,,,restock_alert,1,push,",
    ...extraEvents,
  ].join("\n") + "\n");
  return dir;
}

/**
 * The temporary folders of one test file, removed after its tests (call at the file's top level):
 * `data()` is `shopData` kept there, `keep(dir)` keeps any other folder.
 */
export function tempFolders(): { data: (extraEvents?: string[]) => string; keep: (dir: string) => string } {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const keep = (dir: string) => (dirs.push(dir), dir);
  return { data: (extraEvents) => keep(shopData(extraEvents)), keep };
}
