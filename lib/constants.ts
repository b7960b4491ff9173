/**
 * Constants shared by proxy.ts (which runs before any route and must stay light) and lib/.
 * Dependency-free on purpose: no zod, no Node APIs, safe in the proxy and in the browser.
 */

/** The session cookie (an opaque random token; the session row lives in the database). */
export const SESSION_COOKIE = "omc_session";

/** A GUID as Entra ID writes them (tenant, client and object IDs; Azure's Secret ID). */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Request header set by proxy.ts to the page path and query (a server action posts to its page's URL), for the "next" of a sign-in after the session ended. */
export const REQUEST_PATH_HEADER = "x-omc-path";
