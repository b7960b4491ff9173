import { localOperator } from "@/lib/auth/actor";
import { getProfileByName } from "@/lib/profiles/dal";
import { authorizeWithDeviceCode, clearTokenCache, getAccessToken, listTokenCache, revealAccessTokenAsOperator, type TokenCacheEntryDto } from "@/lib/tokens";
import type { CachedToken, ClaimsSummary, TokenPurpose } from "@/lib/oauth/types";
import { flagBool, flagString, requirePositional, UsageError, type CliCommand } from "../framework";

const PURPOSES: TokenPurpose[] = ["default", "smtp", "imap", "graph"];

function purposeOf(value: string | undefined): TokenPurpose {
  if (value === undefined) return "default";
  if (!(PURPOSES as string[]).includes(value)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(", ")}`);
  return value as TokenPurpose;
}

function claimLines(claims: ClaimsSummary): string[] {
  const rows: [string, string | undefined][] = [
    ["audience (aud)", claims.aud],
    ["tenant (tid)", claims.tid],
    ["app (appid/azp)", claims.appid ?? claims.azp],
    ["user (upn/email)", claims.upn ?? claims.email],
    ["subject (sub)", claims.sub],
    ["roles", claims.roles?.join(" ")],
    ["scopes (scp)", claims.scp],
    ["issuer (iss)", claims.iss],
  ];
  const lines = rows.filter(([, v]) => v).map(([k, v]) => `  ${k.padEnd(20)} ${v}`);
  if (!claims.decoded) lines.push("  (opaque token: claims not readable)");
  return lines;
}

function humanExpiry(expiresAt: Date): string {
  const s = Math.round((expiresAt.getTime() - Date.now()) / 1000);
  return `${expiresAt.toISOString()} (${s >= 0 ? `in ${Math.floor(s / 60)} min ${s % 60} s` : "expired"})`;
}

/** What --json prints: everything but the token, unless --reveal asked for it. */
function jsonOf(token: CachedToken, revealed?: string) {
  return { scope: token.scope, source: token.source, acquiredAt: token.acquiredAt.toISOString(), expiresAt: token.expiresAt.toISOString(), claims: token.claims, ...(revealed ? { accessToken: revealed } : {}) };
}

export const commands: CliCommand[] = [
  {
    path: ["token"],
    usage: "token NAME [--json] [--force] [--reveal] [--purpose smtp|imap|graph] [--device-code]",
    summary: "Get a token for a profile (from cache or new); prints claims and expiry, the token only with --reveal (logged). --device-code: authorize an authorization-code profile without a browser here",
    async run({ args, stdout, stderr }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      if (flagBool(args, "device-code")) {
        if (profile.kind !== "m365-auth-code") throw new UsageError(`--device-code is for authorization-code profiles (m365-auth-code); "${profile.name}" is ${profile.kind} and gets its tokens from stored credentials`);
        const done = await authorizeWithDeviceCode(actor, profile.id, {
          onPrompt: (p) => {
            // The prompt goes to stderr so that --json output stays parseable on stdout.
            stderr(p.message);
            stderr(`  code: ${p.userCode}`);
            stderr(`  URL:  ${p.verificationUri}`);
            stderr(`  expires ${p.expiresAt.toISOString()}; checking every ${p.intervalSeconds} s…`);
          },
          onWait: (reason, seconds) => {
            if (reason === "slow_down") stderr(`  Entra asked to slow down: checking every ${seconds} s`);
          },
        });
        if (flagBool(args, "json")) stdout(JSON.stringify({ profile: profile.name, authorized: true, claims: done.claims, expiresAt: done.expiresAt.toISOString() }, null, 2));
        else stdout(`Authorized "${profile.name}": ${done.claims}; refresh token stored encrypted. Tokens now renew without a browser.`);
        return;
      }
      const token = await getAccessToken(actor, profile.id, { purpose: purposeOf(flagString(args, "purpose")), forceRefresh: flagBool(args, "force") });
      // --reveal goes through the logged path (token.reveal), never by printing `token` directly.
      const revealed = flagBool(args, "reveal") ? (await revealAccessTokenAsOperator(actor, profile.id)).accessToken : undefined;
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(jsonOf(token, revealed), null, 2));
        return;
      }
      stdout(`${profile.name}: token ${token.source === "cache" ? "from cache" : "newly acquired"}`);
      stdout(`  ${"scope".padEnd(20)} ${token.scope || "(none)"}`);
      stdout(`  ${"acquired".padEnd(20)} ${token.acquiredAt.toISOString()}`);
      stdout(`  ${"expires".padEnd(20)} ${humanExpiry(token.expiresAt)}`);
      for (const line of claimLines(token.claims)) stdout(line);
      if (revealed) {
        stdout("");
        stdout("access token (treat as a password; this reveal was logged):");
        stdout(revealed);
      }
    },
  },
  {
    path: ["token", "clear"],
    usage: "token clear NAME",
    summary: "Delete the cached tokens of a profile (refresh token included)",
    async run({ args, stdout }) {
      const actor = localOperator();
      const profile = await getProfileByName(actor, requirePositional(args, 0, "profile NAME"));
      const { cleared } = await clearTokenCache(actor, profile.id);
      stdout(`Cleared ${cleared} cached token ${cleared === 1 ? "entry" : "entries"} of "${profile.name}".${profile.kind === "m365-auth-code" && cleared ? " Authorize it again on the profile page." : ""}`);
    },
  },
  {
    path: ["token", "list"],
    usage: "token list [--json]",
    summary: "List the token cache (claims and expiry, never tokens)",
    async run({ args, stdout }) {
      const entries: TokenCacheEntryDto[] = await listTokenCache(localOperator());
      if (flagBool(args, "json")) {
        stdout(JSON.stringify(entries, null, 2));
        return;
      }
      if (entries.length === 0) {
        stdout("The token cache is empty. Get a token with: npm run cli -- token NAME");
        return;
      }
      const w = Math.max(7, ...entries.map((e) => e.profileName.length));
      stdout(`${"PROFILE".padEnd(w)}  ${"STATE".padEnd(12)}  ${"EXPIRES".padEnd(24)}  REFRESH  SCOPE`);
      for (const e of entries) stdout(`${e.profileName.padEnd(w)}  ${e.state.padEnd(12)}  ${e.expiresAt.padEnd(24)}  ${(e.hasRefreshToken ? "yes" : "no").padEnd(7)}  ${e.scope}`);
    },
  },
];
