/**
 * Messenger sessions and blocks (issue 18, section 4): whether a template may
 * go out on a channel that declares `session: 24h after message_received`.
 * The session is half-open, [inbound, inbound + window): a message exactly
 * 24 h after the last inbound one is OUTSIDE (Meta's customer-service window
 * closes at 24 h). A `message_blocked` on the channel suppresses it as an
 * unsubscribe does, whatever the template.
 */

export interface SessionRoute {
  /** Window length in ms, or undefined when the channel has no session. */
  sessionMs?: number;
  /** The template's `approved: true`. */
  approved: boolean;
  /** Time of the customer's last `message_received` (epoch ms), if any. */
  lastInbound?: number;
  /** True once the customer sent `message_blocked` on this channel. */
  blocked: boolean;
  channel: string;
}

/** Null when the route may be used at `at`, else the reason the fallback moves on. */
export function sessionBlockReason(r: SessionRoute, at: number): string | null {
  if (r.blocked) return `blocked: ${r.channel}`;
  if (r.sessionMs === undefined || r.approved) return null;
  const open = r.lastInbound !== undefined && at >= r.lastInbound && at < r.lastInbound + r.sessionMs;
  return open ? null : `outside the ${r.sessionMs / 3_600_000}h session: template not approved`;
}
