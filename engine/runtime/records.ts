/**
 * Records keyed by playbook names (segments, attributes, props, features).
 * A plain `{}` inherits `constructor`, `toString`, `hasOwnProperty`, … from
 * `Object.prototype`, so a missing key named like one of them reads a
 * function, and assigning `__proto__` sets the prototype instead of storing
 * the key: a segment named `__proto__` was never remembered and entered
 * every member again on every run (issue 14). A name record has a prototype
 * without any of these, so every name works like any other. It is built
 * with `new` over a shared null-prototype object rather than with
 * `Object.create(null)`, which V8 keeps in slow dictionary mode: these
 * records are read in the hot loop.
 */

// `function` on purpose: a constructor whose instances inherit from a null-prototype object.
function NameRecordCtor(): void {}
NameRecordCtor.prototype = Object.create(null) as object;
const Ctor = NameRecordCtor as unknown as new () => Record<string, never>;

/** An empty name record, or a copy of `from`'s own entries (e.g. a record parsed from JSON). */
export function nameRecord<T>(from?: Record<string, T> | null): Record<string, T> {
  const r = new Ctor() as Record<string, T>;
  if (from) for (const k of Object.keys(from)) r[k] = from[k]!;
  return r;
}
