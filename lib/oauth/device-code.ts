import { AppError } from "../errors";
import { summarizeClaims } from "./claims";
import { decodeIdpError, toTokenAppError, tokenFailure } from "./errors";
import type { AuthCodeClient } from "./authorization-code";
import { createTokenHttp, type TokenHttp } from "./http";
import { resolveMicrosoftEndpoints, scopesOf } from "./msal";
import type { AcquiredToken } from "./types";

/**
 * The device authorization grant (RFC 8628) against Entra ID, for the CLI twin of "Authorize" on
 * a headless server: POST …/oauth2/v2.0/devicecode, show the code and URL, then poll the token
 * endpoint at the interval Entra asks for (slow_down adds 5 s) until the user signs in, declines,
 * or the code expires. MSAL's device-code client cannot be used: it treats slow_down as fatal.
 * Requests never follow redirects; the device code and tokens are redacted from the transcript.
 */

/** The same client as the authorization-code grant's (a secret only for a confidential app). */
export type DeviceCodeClient = AuthCodeClient;

export type DeviceCodePrompt = {
  userCode: string;
  verificationUri: string;
  /** Entra's own sentence ("To sign in, use a web browser to open the page … and enter the code …"). */
  message: string;
  expiresAt: Date;
  intervalSeconds: number;
};

export type DeviceCodeSession = DeviceCodePrompt & { deviceCode: string };

export type PollOptions = {
  /** Waits between polls (tests pass one that records the wait and resolves at once). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told before each wait: why it waits and for how long. */
  onWait?: (reason: "authorization_pending" | "slow_down", seconds: number) => void;
};

const GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const MAX_BODY = 64 * 1024;

function withOfflineAccess(scope: string): string {
  return scopesOf(scope).includes("offline_access") ? scope : `offline_access ${scope}`;
}

async function postForm(http: TokenHttp, url: string, form: Record<string, string | undefined>): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = new URLSearchParams(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
  const response = await http.fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString(), redirect: "manual" });
  const text = await response.text();
  if (text.length > MAX_BODY) throw new AppError("remote_error", `The identity provider answered with ${text.length} bytes; a device-code answer is a few hundred.`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new AppError("remote_error", `${new URL(url).host} answered HTTP ${response.status} without JSON${response.status >= 300 && response.status < 400 ? " (a redirect, which token requests never follow)" : ""}.`, {
      hint: "Check the profile's token URL: it must be the Entra ID v2.0 token endpoint of the tenant.",
    });
  }
  return { status: response.status, json: json as Record<string, unknown> };
}

function refusal(json: Record<string, unknown>, status: number, host: string, http: TokenHttp): AppError {
  const ctx = { provider: "microsoft" as const, host };
  const decoded = decodeIdpError({ error: String(json.error ?? ""), description: String(json.error_description ?? ""), errorCodes: Array.isArray(json.error_codes) ? (json.error_codes as number[]) : undefined, status }, ctx);
  return toTokenAppError({ ...decoded, correlationId: typeof json.correlation_id === "string" ? json.correlation_id : undefined, description: String(json.error_description ?? "") }, ctx, http.transcript());
}

/**
 * Asks Entra for a device code. Returns what to show the user (never the device code itself,
 * which stays in the session). Throws AppError with Entra's decoded refusal.
 */
export async function startDeviceCode(input: DeviceCodeClient): Promise<{ session: DeviceCodeSession; transcript: string[] }> {
  const endpoints = resolveMicrosoftEndpoints(input.tokenUrl, input.tenantId);
  const url = endpoints.tokenUrl.replace(/\/token$/, "/devicecode");
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets: [input.clientSecret] });
  try {
    const { status, json } = await postForm(http, url, { client_id: input.clientId, scope: withOfflineAccess(input.scope) });
    if (status !== 200 || typeof json.device_code !== "string" || typeof json.user_code !== "string") {
      if (json.error) throw refusal(json, status, endpoints.host, http);
      throw new AppError("remote_error", `${endpoints.host} answered the device-code request without a code (HTTP ${status}).`);
    }
    const interval = Number(json.interval ?? 5);
    const expiresIn = Number(json.expires_in ?? 900);
    const verificationUri = String(json.verification_uri ?? json.verification_url ?? "https://microsoft.com/devicelogin");
    return {
      session: {
        deviceCode: json.device_code,
        userCode: json.user_code,
        verificationUri,
        message: typeof json.message === "string" ? json.message : `To sign in, open ${verificationUri} and enter the code ${json.user_code}.`,
        expiresAt: new Date(Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 900) * 1000),
        intervalSeconds: Number.isFinite(interval) && interval > 0 ? interval : 5,
      },
      transcript: http.transcript(),
    };
  } catch (error) {
    throw tokenFailure(error, http, { provider: "microsoft", host: endpoints.host, timeoutSeconds: input.timeoutMs / 1000 }, [input.clientSecret]);
  }
}

/**
 * Polls the token endpoint until the user has signed in: authorization_pending waits the
 * interval, slow_down adds 5 seconds to it (RFC 8628 §3.5), expired_token / the session's
 * expiry, authorization_declined / access_denied and bad_verification_code end it with an
 * AppError saying what to do. Returns the tokens (refresh token included when Entra sent one).
 */
export async function pollDeviceCode(input: DeviceCodeClient, session: DeviceCodeSession, options: PollOptions = {}): Promise<AcquiredToken> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const endpoints = resolveMicrosoftEndpoints(input.tokenUrl, input.tenantId);
  const http = createTokenHttp({ timeoutMs: input.timeoutMs, secrets: [input.clientSecret, session.deviceCode] });
  let interval = session.intervalSeconds;
  const expired = () => new AppError("timeout", `The code ${session.userCode} expired before anyone signed in.`, { hint: "Run the command again and finish signing in before the code expires (15 minutes).", remoteCode: "expired_token" });
  try {
    for (;;) {
      if (now() >= session.expiresAt.getTime()) throw expired();
      const { status, json } = await postForm(http, endpoints.tokenUrl, { grant_type: GRANT, client_id: input.clientId, device_code: session.deviceCode, client_secret: input.clientSecret });
      if (status === 200 && typeof json.access_token === "string") {
        const expiresAt = new Date(now() + Number(json.expires_in ?? 3600) * 1000);
        const scope = typeof json.scope === "string" ? json.scope : input.scope;
        return {
          accessToken: json.access_token,
          refreshToken: typeof json.refresh_token === "string" ? json.refresh_token : undefined,
          expiresAt,
          scope: input.scope,
          claims: summarizeClaims(json.access_token, { scope, expiresAt }),
          transcript: http.transcript(),
        };
      }
      const error = String(json.error ?? "");
      if (error === "authorization_pending" || error === "slow_down") {
        if (error === "slow_down") interval += 5;
        options.onWait?.(error, interval);
        await sleep(interval * 1000);
        continue;
      }
      if (error === "expired_token") throw expired();
      if (error === "authorization_declined" || error === "access_denied") {
        throw new AppError("forbidden", `Sign-in for code ${session.userCode} was declined.`, { hint: "Run the command again and accept the permissions, or ask an admin to grant consent for the app.", remoteCode: error });
      }
      if (error === "bad_verification_code") {
        throw new AppError("remote_error", "Entra ID did not recognise the device code.", { hint: "Run the command again; the code from the last run cannot be reused.", remoteCode: error });
      }
      throw refusal(json, status, endpoints.host, http);
    }
  } catch (error) {
    throw tokenFailure(error, http, { provider: "microsoft", host: endpoints.host, timeoutSeconds: input.timeoutMs / 1000 }, [input.clientSecret, session.deviceCode]);
  }
}
