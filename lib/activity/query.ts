import { z } from "zod";
import type { ActivityFilter, ActivityOutcome } from "./dal";

/**
 * The log filter as the Logs page (search parameters) and `cli logs` (flags) both send it, one
 * schema for both: profile, action (a prefix, e.g. "mail" or "token.acquire"), actor (who acted,
 * exactly as the log names them: an admin's username, `cli:<os user>`, `monitor`), outcome, a time
 * window, text. `ok` is the CLI's word for success. Dates are ISO: a day (whole day, UTC) or a
 * moment with a time and zone.
 */
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isoMoment = (what: string, endOfDay: boolean) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      const d = ISO_DAY.test(v) ? new Date(`${v}T${endOfDay ? "23:59:59.999" : "00:00:00.000"}Z`) : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) ? new Date(v) : new Date(NaN);
      if (Number.isNaN(d.getTime())) {
        ctx.addIssue({ code: "custom", message: `${what} must be an ISO date (2026-11-30) or date and time with a zone (2026-11-30T08:00:00Z)` });
        return z.NEVER;
      }
      return d;
    });

const OUTCOMES = ["success", "failure", "info", "ok"] as const;

export const activityQuerySchema = z.object({
  profile: z.string().trim().max(200, { message: "Profile must be at most 200 characters" }).optional(),
  action: z
    .string()
    .trim()
    .max(64, { message: "Action must be at most 64 characters" })
    .regex(/^[a-z][a-z0-9_.-]*$/i, { message: "Action must be an action name or its start, e.g. mail.send or token" })
    .optional(),
  actor: z.string().trim().max(100, { message: "Actor must be at most 100 characters" }).optional(),
  outcome: z.enum(OUTCOMES, { message: "Outcome must be ok (success), failure or info" }).optional(),
  since: isoMoment("Since", false).optional(),
  until: isoMoment("Until", true).optional(),
  q: z.string().trim().max(200, { message: "Text must be at most 200 characters" }).optional(),
  page: z.coerce.number({ message: "Page must be a number" }).int({ message: "Page must be a whole number" }).min(1, { message: "Page must be 1 or more" }).default(1),
});
export type ActivityQueryInput = z.input<typeof activityQuerySchema>;
export type ActivityQuery = z.infer<typeof activityQuerySchema>;

/** Empty strings (an unset select on the Logs page) count as absent. */
export function parseActivityQuery(raw: Record<string, string | undefined>) {
  return activityQuerySchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== "")));
}

/**
 * The DAL filter of a parsed query. `profileId` is resolved by the caller (the page has ids, the
 * CLI names).
 */
export function activityFilterOf(q: ActivityQuery, profileId: string | undefined): ActivityFilter {
  const outcome: ActivityOutcome | undefined = q.outcome === "ok" ? "success" : q.outcome;
  return { profileId, action: q.action, actor: q.actor, outcome, from: q.since, to: q.until, query: q.q, page: q.page };
}
