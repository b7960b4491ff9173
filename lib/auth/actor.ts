import os from "node:os";

/**
 * Who is acting. Produced only by requireAdmin() (web) or localOperator() (CLI); every DAL
 * function takes one first, so each read and write is authorised and attributed.
 */
export type Actor = { id: string; username: string; via: "web" | "cli" | "system" };

/** The operator of the CLI: whoever can run commands in the install directory. */
export function localOperator(): Actor {
  let user = "operator";
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep the generic name
  }
  return { id: `cli:${user}`, username: `cli:${user}`, via: "cli" };
}

/** The console's own scheduler (scheduled checks, alert deliveries): "monitor" in the activity log. */
export function systemActor(): Actor {
  return { id: "system:monitor", username: "monitor", via: "system" };
}

export function actorLabel(actor: Actor): string {
  return actor.username;
}
