import type { ProfileSettings } from "../profiles/schema";
import type { TokenPurpose } from "../oauth/types";

const IMAP_DELEGATED = "IMAP.AccessAsUser.All";

/**
 * The scope a token for `purpose` is requested with; also the cache key with the profile id.
 * One token serves every purpose a profile has wherever the IdP allows it (Entra issues one
 * token per resource: SMTP.Send and IMAP.AccessAsUser.All share outlook.office365.com, so the
 * auth-code profile's single token — and its single refresh token — covers SMTP and IMAP).
 * The exception is a delegated (ROPC) profile whose scope lacks IMAP: an IMAP test asks for
 * IMAP.AccessAsUser.All on the same resource, cached separately.
 */
export function tokenScopeFor(settings: ProfileSettings, purpose: TokenPurpose = "default"): string {
  switch (settings.kind) {
    case "m365-delegated": {
      if (purpose !== "imap" || settings.scope.includes(IMAP_DELEGATED)) return settings.scope;
      const resource = settings.scope.match(/https:\/\/[^/\s]+/)?.[0] ?? "https://outlook.office365.com";
      return `${resource}/${IMAP_DELEGATED} offline_access`;
    }
    case "m365-app-graph":
    case "m365-app-smtp":
    case "m365-auth-code":
    case "google-service-account":
      return settings.scope;
    case "oauth2-generic":
      return settings.scope ?? "";
    case "smtp-basic":
    case "log-only":
      return "";
  }
}
