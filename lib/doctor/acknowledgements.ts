import "server-only";
import { randomUUID } from "node:crypto";
import { recordActivity } from "../activity/dal";
import type { Actor } from "../auth/actor";
import { getDb } from "../db/client";
import { AppError } from "../errors";
import { getProfile } from "../profiles/dal";
import { acknowledgeFindingSchema, type AcknowledgeFindingInput } from "./schema";
import type { Finding } from "./types";

export type FindingAcknowledgement = { ruleId: string; fingerprint: string; problem: string; note: string; by: string; at: string };

/** The acknowledgements stored for a profile (all rules, current or lapsed). */
export async function listAcknowledgements(_actor: Actor, profileId: string): Promise<FindingAcknowledgement[]> {
  const rows = await getDb().doctorAcknowledgement.findMany({ where: { profileId }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => ({ ruleId: r.ruleId, fingerprint: r.fingerprint, problem: r.problem, note: r.note, by: r.createdBy, at: r.createdAt.toISOString() }));
}

/**
 * Marks findings acknowledged when an acknowledgement with the same rule and fingerprint exists.
 * A finding whose facts changed has another fingerprint, so it shows as new.
 */
export function applyAcknowledgements(findings: Finding[], acks: readonly FindingAcknowledgement[]): Finding[] {
  const byKey = new Map(acks.map((a) => [`${a.ruleId}/${a.fingerprint}`, a]));
  return findings.map((f) => {
    const a = byKey.get(`${f.ruleId}/${f.fingerprint}`);
    return a ? { ...f, acknowledged: { by: a.by, at: a.at, note: a.note } } : f;
  });
}

/**
 * Acknowledges the current findings of one rule on a profile (one finding when a fingerprint is
 * given): stored with who and when, logged. `current` are the profile's findings now (from
 * diagnoseProfile). Throws AppError(invalid_input) when no current finding matches,
 * AppError(not_found) for an unknown profile.
 */
export async function acknowledgeFindings(actor: Actor, profileId: string, current: readonly Finding[], rawInput: AcknowledgeFindingInput): Promise<Finding[]> {
  const input = acknowledgeFindingSchema.parse(rawInput);
  const profile = await getProfile(actor, profileId);
  const targets = current.filter((f) => f.ruleId === input.ruleId && (!input.fingerprint || f.fingerprint === input.fingerprint));
  if (!targets.length) {
    const rules = [...new Set(current.map((f) => f.ruleId))];
    throw new AppError("invalid_input", `"${profile.name}" has no current finding ${input.fingerprint ? `${input.ruleId} ${input.fingerprint}` : `of rule ${input.ruleId}`}${rules.length ? ` (current: ${rules.join(", ")})` : ""}.`, { field: "ruleId" });
  }
  for (const f of targets) {
    await getDb().doctorAcknowledgement.upsert({
      where: { profileId_ruleId_fingerprint: { profileId, ruleId: f.ruleId, fingerprint: f.fingerprint } },
      create: { id: randomUUID(), profileId, ruleId: f.ruleId, fingerprint: f.fingerprint, problem: f.problem, note: input.note, createdBy: actor.username },
      update: { note: input.note, createdBy: actor.username, createdAt: new Date() },
    });
  }
  await recordActivity(actor, {
    action: "doctor.acknowledge",
    outcome: "info",
    profileId,
    profileName: profile.name,
    summary: `Acknowledged ${input.ruleId}: ${targets.map((t) => t.problem).join(" | ")}${input.note ? ` — note: ${input.note}` : ""}`,
  });
  return targets;
}

/** Withdraws the acknowledgements of one rule on a profile; logged. Returns how many were removed. */
export async function unacknowledgeFindings(actor: Actor, profileId: string, ruleId: string): Promise<number> {
  const profile = await getProfile(actor, profileId);
  const { count } = await getDb().doctorAcknowledgement.deleteMany({ where: { profileId, ruleId } });
  if (!count) throw new AppError("invalid_input", `"${profile.name}" has no acknowledged finding of rule ${ruleId}.`, { field: "ruleId" });
  await recordActivity(actor, { action: "doctor.unacknowledge", outcome: "info", profileId, profileName: profile.name, summary: `Withdrew the acknowledgement of ${ruleId} (${count})` });
  return count;
}
