import { initMasterKey, rotateMasterKey } from "@/lib/crypto/keyring";
import { localOperator } from "@/lib/auth/actor";
import { AppError } from "@/lib/errors";
import { flagBool, type CliCommand } from "../framework";

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

commands.push({
  path: ["key", "rotate"],
  usage: "key rotate [--new-key-stdin]",
  summary: "Re-encrypt every secret and cached token with a new master key (one transaction)",
  async run({ args, stdout, readStdin }) {
    let newKey: Buffer | undefined;
    if (flagBool(args, "new-key-stdin")) {
      newKey = Buffer.from((await readStdin()).trim(), "base64");
      if (newKey.length !== 32) throw new AppError("invalid_input", "The new key must be 32 bytes encoded as base64 (openssl rand -base64 32).", { field: "newKey" });
    }
    const res = await rotateMasterKey(localOperator(), { newKey, onProgress: (m) => stdout(m) });
    stdout(`master key rotated: ${res.previousFingerprint} → ${res.fingerprint}; ${res.profiles} profiles, ${res.tokens} cached tokens, ${res.states} pending authorizations re-encrypted`);
    stdout(res.keyFile ? `new key written to ${res.keyFile}; the old key was kept beside it as master.key.previous-<time>. Update your key backup.` : "Now set CONSOLE_MASTER_KEY to the new key before the next start.");
  },
});
