import { initMasterKey } from "@/lib/crypto/keyring";
import type { CliCommand } from "../framework";

export const commands: CliCommand[] = [
  {
    path: ["key", "check"],
    usage: "key check",
    summary: "Load the master key (creating it on first run) and prove it matches the database",
    async run({ stdout }) {
      const info = await initMasterKey();
      stdout(`master key ok: ${info.source === "env" ? "CONSOLE_MASTER_KEY" : info.file}${info.created ? " (created)" : ""}, fingerprint ${info.fingerprint}`);
    },
  },
];
