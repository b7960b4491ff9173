import { z } from "zod";

/** Console-wide runtime settings (Settings page, stored in the Setting table). */
export const consoleSettingsSchema = z.object({
  tokenRefreshMarginMinutes: z.coerce.number().int().min(0, { message: "Refresh margin must be 0 or more minutes" }).max(55, { message: "Refresh margin must be under 55 minutes (tokens live about an hour)" }).default(5),
  logRetentionDays: z.coerce.number().int().min(1, { message: "Keep logs at least 1 day" }).max(3650, { message: "Keep logs at most 3650 days" }).default(90),
  httpTimeoutSeconds: z.coerce.number().min(1).max(120).default(20),
  smtpConnectTimeoutSeconds: z.coerce.number().min(1).max(120).default(15),
  smtpGreetingTimeoutSeconds: z.coerce.number().min(1).max(120).default(15),
  smtpSocketTimeoutSeconds: z.coerce.number().min(1).max(600).default(60),
  imapTimeoutSeconds: z.coerce.number().min(1).max(300).default(30),
  // Monitoring (lib/monitor): a failing check is re-announced every N hours; checks run N at a time.
  alertReminderHours: z.coerce.number().int({ message: "Reminder interval must be whole hours" }).min(1, { message: "Remind at least every 1 hour" }).max(168, { message: "Remind at most every 168 hours (a week)" }).default(24),
  checkConcurrency: z.coerce.number().int({ message: "Concurrent checks must be a whole number" }).min(1, { message: "Run at least 1 check at a time" }).max(50, { message: "Run at most 50 checks at a time" }).default(10),
});
export type ConsoleSettings = z.infer<typeof consoleSettingsSchema>;
