import "server-only";
import { z } from "zod";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { getDb } from "../db/client";
import { AppError } from "../errors";
import type { StepCheck } from "./guide";

/** Ticking a manual step off (or on again), from the console form or the CLI. */
export const setupStepCheckSchema = z.object({
  stepId: z.string().trim().min(1, { message: "Step is required (a step id of the guided setup, e.g. ibmi-dcm-certificates)" }).max(100, { message: "Step must be at most 100 characters" }),
  checked: z.preprocess((v) => (v === "true" || v === "on" ? true : v === "false" || v === "off" ? false : v), z.boolean({ message: "Checked must be true or false" })),
});
export type SetupStepCheckInput = z.input<typeof setupStepCheckSchema>;

/** The manual steps ticked off on a profile, by step id. */
export async function listSetupChecks(_actor: Actor, profileId: string): Promise<Record<string, StepCheck>> {
  const rows = await getDb().setupStepCheck.findMany({ where: { profileId } });
  return Object.fromEntries(rows.map((r) => [r.stepId, { by: r.checkedBy, at: r.checkedAt.toISOString() }]));
}

/**
 * Stores (or removes) the tick of a manual step and logs it. `manualSteps` are the ids of the
 * steps in the profile's guide that the console cannot observe: only those can be ticked, since
 * the others are verified from proof. Throws AppError(invalid_input) naming the steps allowed.
 */
export async function setSetupStepCheck(actor: Actor, profile: { id: string; name: string }, manualSteps: readonly { id: string; title: string }[], rawInput: SetupStepCheckInput): Promise<void> {
  const input = setupStepCheckSchema.parse(rawInput);
  const step = manualSteps.find((s) => s.id === input.stepId);
  if (!step) {
    throw new AppError(
      "invalid_input",
      `Step ${input.stepId} cannot be ticked off on "${profile.name}": only steps the console cannot verify can (${manualSteps.map((s) => s.id).join(", ") || "none for this profile"}).`,
      { field: "stepId" },
    );
  }
  const db = getDb();
  if (input.checked) {
    await db.setupStepCheck.upsert({
      where: { profileId_stepId: { profileId: profile.id, stepId: step.id } },
      create: { profileId: profile.id, stepId: step.id, checkedBy: actor.username },
      update: { checkedBy: actor.username, checkedAt: new Date() },
    });
  } else {
    await db.setupStepCheck.deleteMany({ where: { profileId: profile.id, stepId: step.id } });
  }
  await recordActivity(actor, {
    action: input.checked ? "setup.check" : "setup.uncheck",
    outcome: "info",
    profileId: profile.id,
    profileName: profile.name,
    summary: `${input.checked ? "Ticked off" : "Reopened"} setup step "${step.title}" (${step.id})`,
  });
}
