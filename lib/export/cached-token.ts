import type { ExportFormatId } from "./types";

/**
 * Exports whose renderer writes iMail's token cache keys (DELEGATED_TOKEN / DELEGATED_EXPIRY_TIME
 * or TOKEN / EXPIRY_TIME in iMailOAuth.config, imail.oauth.token / expiry as system properties)
 * when secrets are included and a token is cached.
 */
export const TOKEN_CACHE_FORMATS: ReadonlySet<ExportFormatId> = new Set<ExportFormatId>(["imail-config", "system-properties", "java-properties-list"]);
