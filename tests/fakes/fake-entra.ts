import { testCa } from "./test-ca";
import fs from "node:fs";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { X509Certificate, createHash, randomBytes, randomUUID } from "node:crypto";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { issueTestAccessToken, testIdpJwk } from "./idp-keys";

/**
 * A fake Microsoft Entra ID (v2.0 endpoints) over real HTTPS on 127.0.0.1, with the test CA's
 * server certificate. It speaks the protocol MSAL speaks: discovery, the token endpoint for the
 * password, client_credentials (secret or certificate assertion), authorization_code (+PKCE),
 * refresh_token and device_code grants, /devicecode (RFC 8628, Entra's answer and error shapes:
 * authorization_pending AADSTS70016, expired_token AADSTS70019, authorization_declined,
 * bad_verification_code), and an /authorize page for the browser flow. Errors have Microsoft's
 * shape. Access tokens are signed with the shared test IdP key (tests/fakes/idp-keys.ts), so the
 * SMTP/IMAP/Graph peers can verify them.
 */

// ------------------------------------------------------------------------------------------
// Shared HTTPS plumbing (also used by fake-google.ts)

/** The test CA's server certificate and key (see ./test-ca). */
function testCaFiles(): { serverCert: string; serverKey: string } {
  return testCa();
}

export type FakeRequest = {
  at: Date;
  method: string;
  path: string;
  /** Parsed form body of POSTs (secrets included: tests assert on what was sent). */
  form: Record<string, string>;
  headers: IncomingMessage["headers"];
  grantType?: string;
  clientId?: string;
  status?: number;
};

/** What the next matching request(s) should suffer instead of a normal answer. */
export type FakeFailure =
  /** Answer with this HTTP status and a Microsoft/Google-shaped temporarily_unavailable body. */
  | { kind: "status"; status: number; count?: number; grantType?: string }
  /** Never answer (until close). */
  | { kind: "hang"; count?: number; grantType?: string }
  /** An HTML error page, as proxies and captive portals send. */
  | { kind: "html"; status?: number; count?: number; grantType?: string }
  /** A JSON body cut in the middle. */
  | { kind: "truncated"; count?: number; grantType?: string }
  /** A specific AADSTS error (Entra) or OAuth error (Google): error defaults from the code table. */
  | { kind: "error"; aadsts?: number; error?: string; description?: string; status?: number; count?: number; grantType?: string };

export type HttpsFake = {
  url: string;
  port: number;
  requests: FakeRequest[];
  setFailure(failure: FakeFailure): void;
  /** Every answer waits this long first (a real IdP's latency; the monitor benchmark uses 100 ms). */
  setResponseDelay(ms: number): void;
  /** Holds every answer (requests are still recorded) until the returned function is called. */
  holdResponses(): () => void;
  /** The most requests this fake was answering at the same moment (bounded-concurrency checks). */
  maxInFlight(): number;
  clearFailures(): void;
  /** Requests whose path ends with the given suffix (default: token endpoint). */
  count(pathSuffix?: string): number;
  close(): Promise<void>;
};

type Handler = (req: FakeRequest, res: ServerResponse, raw: IncomingMessage) => Promise<unknown> | unknown;
type FailureResponder = (failure: FakeFailure, req: FakeRequest, res: ServerResponse) => void;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(html) });
  res.end(html);
}

async function readBody(raw: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Starts an HTTPS server on 127.0.0.1:0 with the test CA's server certificate. Failures set with
 * setFailure apply to requests whose path matches `failurePaths` (token endpoints), in order.
 */
export async function startHttpsFake(options: { handler: Handler; failurePath: (path: string) => boolean; respondFailure: FailureResponder; certFile?: string; keyFile?: string }): Promise<HttpsFake> {
  const ca = testCaFiles();
  const requests: FakeRequest[] = [];
  const failures: (FakeFailure & { remaining: number })[] = [];
  const sockets = new Set<Socket>();
  let delayMs = 0;
  let gate: Promise<void> | undefined;
  let inFlight = 0;
  let peakInFlight = 0;

  const server = https.createServer({ cert: fs.readFileSync(options.certFile ?? ca.serverCert), key: fs.readFileSync(options.keyFile ?? ca.serverKey) }, (raw, res) => {
    void (async () => {
      const url = new URL(raw.url ?? "/", "https://127.0.0.1");
      const body = raw.method === "POST" ? await readBody(raw) : "";
      const form = Object.fromEntries(new URLSearchParams(raw.headers["content-type"]?.includes("json") ? "" : body));
      const req: FakeRequest = { at: new Date(), method: raw.method ?? "GET", path: url.pathname, form, headers: raw.headers, grantType: form.grant_type, clientId: form.client_id };
      // The query is part of what the handler needs (authorize); keep it on the raw message.
      requests.push(req);
      inFlight++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      res.on("close", () => inFlight--);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (gate) await gate;
      res.on("finish", () => {
        req.status = res.statusCode;
      });
      const failure = options.failurePath(url.pathname) ? failures.find((f) => f.remaining > 0 && (!f.grantType || f.grantType === req.grantType)) : undefined;
      if (failure) {
        failure.remaining--;
        if (failure.kind === "hang") return; // the socket stays open until close()
        options.respondFailure(failure, req, res);
        return;
      }
      await options.handler(req, res, raw);
    })().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: "server_error", error_description: `fake crashed: ${error instanceof Error ? error.message : String(error)}` });
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    requests,
    setFailure(failure) {
      failures.push({ ...failure, remaining: failure.count ?? 1 });
    },
    clearFailures() {
      failures.length = 0;
    },
    setResponseDelay(ms) {
      delayMs = ms;
    },
    maxInFlight() {
      return peakInFlight;
    },
    holdResponses() {
      let release!: () => void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    count(pathSuffix) {
      return requests.filter((r) => (pathSuffix ? r.path.endsWith(pathSuffix) : options.failurePath(r.path))).length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// ------------------------------------------------------------------------------------------
// Entra specifics

export type FakeEntraClient = {
  clientId: string;
  /** Tenants where the app exists (default: every registered tenant). */
  tenants?: string[];
  /** Confidential with a secret (an app may have several); `secretExpired` answers AADSTS7000222. */
  secret?: string | string[];
  secretExpired?: boolean;
  /** Registered certificates (PEM) for client assertions. */
  certificates?: string[];
  /** "Allow public client flows" = Yes: ROPC without a secret is fine, a secret is AADSTS700025. */
  publicClient?: boolean;
  redirectUris?: string[];
  /** App roles granted (client credentials). Default: SMTP.SendAsApp / IMAP.AccessAsApp for outlook, Mail.Send for graph. */
  roles?: string[];
  /** Admin consent granted for delegated permissions (default true; false → AADSTS65001). */
  consented?: boolean;
};

export type FakeEntraUser = { username: string; password: string; mfa?: boolean; blockedByConditionalAccess?: boolean };

export type FakeEntraOptions = {
  tenants?: string[];
  clients: FakeEntraClient[];
  users?: FakeEntraUser[];
  /** Access token lifetime (seconds); default 3600. Can be changed later with setTokenLifetime. */
  tokenLifetimeSeconds?: number;
  /** Issue a new refresh token on every refresh (default true). */
  rotateRefreshTokens?: boolean;
  /** A rotated-away refresh token is refused with invalid_grant (default true): proves the new one is used. */
  revokeRotatedRefreshTokens?: boolean;
  /** /authorize: show an Accept/Decline page (default) or redirect back at once. */
  authorize?: "page" | "auto";
  /** Device code flow: the polling interval Entra asks for (default 5 s) and the code lifetime (default 900 s). */
  deviceCodeInterval?: number;
  deviceCodeExpiresIn?: number;
};

/** A device code as the fake holds it; tests play the user with approve/decline. */
export type FakeDeviceCode = { userCode: string; clientId: string; tenant: string; scope: string; state: "pending" | "approved" | "declined"; username?: string; expires: number; polls: number };

export type FakeEntra = HttpsFake & {
  authority(tenant: string): string;
  tokenUrl(tenant: string): string;
  /** Token endpoint requests only. */
  tokenRequests(): FakeRequest[];
  setTokenLifetime(seconds: number): void;
  /** Makes every refresh token issued so far invalid (AADSTS70043). */
  revokeRefreshTokens(): void;
  /** Refresh tokens currently valid. */
  validRefreshTokens(): string[];
  /** Client assertion headers seen (x5t / x5t#S256 / alg), in order. */
  assertionHeaders: Record<string, unknown>[];
  /** Device codes issued, newest last. */
  deviceCodes(): FakeDeviceCode[];
  /** The user signs in at the verification URL with this code (and accepts). */
  approveDeviceCode(userCode: string, username?: string): void;
  /** The user declines the permissions. */
  declineDeviceCode(userCode: string): void;
  /** The code runs out (its 15 minutes are over). */
  expireDeviceCode(userCode: string): void;
};

/** Microsoft's texts for the codes the tests and the decoder care about. */
const AADSTS_TABLE: Record<number, { error: string; status: number; text: string }> = {
  7000218: { error: "invalid_client", status: 401, text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." },
  7000215: { error: "invalid_client", status: 401, text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{app}'." },
  7000222: { error: "invalid_client", status: 401, text: "The provided client secret keys for app '{app}' are expired." },
  700025: { error: "invalid_client", status: 401, text: "Client is public so neither 'client_assertion' nor 'client_secret' should be presented." },
  65001: { error: "invalid_grant", status: 400, text: "The user or administrator has not consented to use the application with ID '{app}'." },
  70016: { error: "authorization_pending", status: 400, text: "OAuth 2.0 device flow error. Authorization is pending. Continue polling." },
  70019: { error: "expired_token", status: 400, text: "Verification code expired." },
  50126: { error: "invalid_grant", status: 400, text: "Error validating credentials due to invalid username or password." },
  50076: { error: "invalid_grant", status: 400, text: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000002-0000-0ff1-ce00-000000000000'." },
  50079: { error: "interaction_required", status: 400, text: "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication." },
  53003: { error: "invalid_grant", status: 400, text: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance." },
  900023: { error: "invalid_request", status: 400, text: "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain." },
  70043: { error: "invalid_grant", status: 400, text: "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access." },
  50011: { error: "invalid_request", status: 400, text: "The redirect URI '{redirect}' specified in the request does not match the redirect URIs configured for the application '{app}'." },
  700016: { error: "unauthorized_client", status: 400, text: "Application with identifier '{app}' was not found in the directory '{tenant}'." },
  90002: { error: "invalid_request", status: 400, text: "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud." },
  700027: { error: "invalid_client", status: 401, text: "Client assertion failed signature validation." },
  700024: { error: "invalid_client", status: 401, text: "Client assertion is not within its valid time range." },
  700023: { error: "invalid_client", status: 401, text: "Client assertion audience claim does not match Realm issuer." },
  501481: { error: "invalid_grant", status: 400, text: "The Code_Verifier does not match the code_challenge supplied in the authorization request." },
  70008: { error: "invalid_grant", status: 400, text: "The provided authorization code or refresh token has expired due to inactivity." },
  1002012: { error: "invalid_scope", status: 400, text: "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)." },
  50059: { error: "invalid_request", status: 400, text: "No tenant-identifying information found in either the request or implied by any provided credentials." },
};

function aadstsBody(code: number, vars: Record<string, string>, correlationId: string, override?: { error?: string; description?: string }) {
  const entry = AADSTS_TABLE[code] ?? { error: "invalid_request", status: 400, text: "Fake error." };
  const text = override?.description ?? entry.text.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? k);
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  return {
    status: entry.status,
    body: {
      error: override?.error ?? entry.error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function correlationOf(req: FakeRequest): string {
  const header = req.headers["client-request-id"];
  return typeof header === "string" && header ? header : randomUUID();
}

/** The resource a scope string targets and the permission names (scp / roles). */
function resourceOf(scope: string): { aud: string; permissions: string[] } {
  const parts = scope.split(/\s+/).filter((s) => s && !["openid", "profile", "offline_access", "email"].includes(s));
  const first = parts[0] ?? "https://graph.microsoft.com/.default";
  const m = first.match(/^(https:\/\/[^/]+)\/(.+)$/);
  const aud = m ? m[1] : "https://graph.microsoft.com";
  return { aud: aud === "https://outlook.office.com" ? "https://outlook.office.com" : aud, permissions: parts.map((p) => p.replace(/^https:\/\/[^/]+\//, "")).filter((p) => p !== ".default") };
}

function thumbprints(pem: string): { x5t: string; x5tS256: string; cert: X509Certificate } {
  const cert = new X509Certificate(pem);
  return { x5t: createHash("sha1").update(cert.raw).digest("base64url"), x5tS256: createHash("sha256").update(cert.raw).digest("base64url"), cert };
}

function b64url(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString("base64url");
}

type CodeGrant = { clientId: string; tenant: string; redirectUri: string; scope: string; challenge?: string; method?: string; username: string; expires: number };
type RefreshGrant = { clientId: string; tenant: string; scope: string; username: string };

/** Starts the fake. Every tenant in `tenants` exists; clients and users are shared by all. */
export async function startFakeEntra(options: FakeEntraOptions): Promise<FakeEntra> {
  const tenants = new Set(options.tenants ?? []);
  // Without an explicit list every well-formed tenant (GUID or domain) exists.
  const tenantExists = (t: string) => (options.tenants ? tenants.has(t) : /^[0-9a-f-]{36}$|^[a-z0-9.-]+\.[a-z]{2,}$/i.test(t));
  let lifetime = options.tokenLifetimeSeconds ?? 3600;
  const codes = new Map<string, CodeGrant>();
  const deviceCodes = new Map<string, FakeDeviceCode>();
  const byUserCode = (userCode: string) => {
    const entry = [...deviceCodes.values()].find((d) => d.userCode === userCode);
    if (!entry) throw new Error(`fake Entra issued no device code ${userCode}`);
    return entry;
  };
  const refreshTokens = new Map<string, RefreshGrant>();
  const usedJti = new Set<string>();
  const assertionHeaders: Record<string, unknown>[] = [];
  const rotate = options.rotateRefreshTokens ?? true;
  const revokeRotated = options.revokeRotatedRefreshTokens ?? true;
  const users = options.users ?? [];
  // Filled once the server listens (the handlers need the port).
  let base = "";

  const error = (res: ServerResponse, req: FakeRequest, code: number, vars: Record<string, string> = {}, override?: { error?: string; description?: string; status?: number }) => {
    const { status, body } = aadstsBody(code, vars, correlationOf(req), override);
    sendJson(res, override?.status ?? status, body);
  };

  const idToken = (tenant: string, clientId: string, username: string) =>
    `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ aud: clientId, iss: `${base}/${tenant}/v2.0`, tid: tenant, oid: createHash("sha256").update(username).digest("hex").slice(0, 32), preferred_username: username, name: username, sub: createHash("sha1").update(username).digest("base64url"), iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600, ver: "2.0" })}.`;

  const clientInfo = (tenant: string, username: string) => b64url({ uid: createHash("sha256").update(username).digest("hex").slice(0, 32), utid: tenant });

  async function delegatedTokens(tenant: string, client: FakeEntraClient, username: string, scope: string, withRefresh: boolean) {
    const { aud, permissions } = resourceOf(scope);
    const accessToken = await issueTestAccessToken(
      {
        aud,
        iss: `https://sts.windows.net/${tenant}/`,
        tid: tenant,
        appid: client.clientId,
        azp: client.clientId,
        scp: permissions.join(" "),
        upn: username,
        unique_name: username,
        oid: createHash("sha256").update(username).digest("hex").slice(0, 32),
        sub: createHash("sha1").update(username).digest("base64url"),
        ver: "1.0",
      },
      lifetime,
    );
    const body: Record<string, unknown> = {
      token_type: "Bearer",
      scope: scope.split(/\s+/).filter((s) => s !== "openid" && s !== "profile").join(" "),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      id_token: idToken(tenant, client.clientId, username),
      client_info: clientInfo(tenant, username),
    };
    if (withRefresh) {
      const rt = `fake-rt-${randomBytes(24).toString("base64url")}`;
      refreshTokens.set(rt, { clientId: client.clientId, tenant, scope, username });
      body.refresh_token = rt;
    }
    return body;
  }

  /** Checks the client's authentication; answers the error and returns false when it fails. */
  async function authenticateClient(req: FakeRequest, res: ServerResponse, tenant: string, client: FakeEntraClient, requireConfidential: boolean): Promise<boolean> {
    const f = req.form;
    const vars = { app: client.clientId, tenant };
    if (f.client_assertion) {
      if (f.client_assertion_type !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
        error(res, req, 700027, vars);
        return false;
      }
      let header: Record<string, unknown>;
      try {
        header = decodeProtectedHeader(f.client_assertion) as Record<string, unknown>;
      } catch {
        error(res, req, 700027, vars);
        return false;
      }
      assertionHeaders.push(header);
      const registered = (client.certificates ?? []).map(thumbprints);
      const match = registered.find((c) => (header["x5t#S256"] && c.x5tS256 === header["x5t#S256"]) || (header.x5t && c.x5t === header.x5t));
      if (!match) {
        error(res, req, 700027, vars, { description: `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${String(header["x5t#S256"] ?? header.x5t)}']` });
        return false;
      }
      try {
        const { payload } = await jwtVerify(f.client_assertion, match.cert.publicKey, {
          algorithms: ["RS256", "PS256"],
          audience: `${base}/${tenant}/oauth2/v2.0/token`,
          issuer: client.clientId,
          subject: client.clientId,
          clockTolerance: 60,
          maxTokenAge: "15m",
        });
        if (!payload.jti || usedJti.has(payload.jti)) {
          error(res, req, 700027, vars, { description: "Client assertion jti is missing or was already used." });
          return false;
        }
        if (!payload.exp || payload.exp - Math.floor(Date.now() / 1000) > 3600) {
          error(res, req, 700024, vars);
          return false;
        }
        usedJti.add(payload.jti);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "ERR_JWT_EXPIRED" || (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && /nbf|iat|age/.test(String((e as Error).message)))) error(res, req, 700024, vars);
        else if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED" && /aud/.test(String((e as Error).message))) error(res, req, 700023, vars);
        else error(res, req, 700027, vars);
        return false;
      }
      return true;
    }
    if (f.client_secret !== undefined) {
      if (client.publicClient) {
        error(res, req, 700025, vars);
        return false;
      }
      const secrets = client.secret === undefined ? [] : Array.isArray(client.secret) ? client.secret : [client.secret];
      if (!secrets.includes(f.client_secret)) {
        error(res, req, 7000215, vars);
        return false;
      }
      if (client.secretExpired) {
        error(res, req, 7000222, vars);
        return false;
      }
      return true;
    }
    if (requireConfidential || !client.publicClient) {
      error(res, req, 7000218, vars);
      return false;
    }
    return true;
  }

  async function handleToken(req: FakeRequest, res: ServerResponse, tenant: string) {
    const f = req.form;
    // client_secret_basic (RFC 6749 §2.3.1), which Entra accepts as well as client_secret_post.
    const basic = req.headers.authorization?.match(/^Basic (.+)$/)?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":").map((p) => decodeURIComponent(p.replace(/\+/g, " ")));
      f.client_id ??= id;
      f.client_secret ??= secret ?? "";
      req.clientId = f.client_id;
    }
    if (tenant.includes("{") || tenant.includes("$") || tenant.includes("%")) return error(res, req, 900023, { tenant });
    if (!tenantExists(tenant)) return error(res, req, 90002, { tenant });
    const client = options.clients.find((c) => c.clientId === f.client_id && (!c.tenants || c.tenants.includes(tenant)));
    if (!client) return error(res, req, 700016, { app: f.client_id ?? "", tenant });
    const vars = { app: client.clientId, tenant, scope: f.scope ?? "" };
    switch (f.grant_type) {
      case "password": {
        if (!(await authenticateClient(req, res, tenant, client, false))) return;
        const user = users.find((u) => u.username.toLowerCase() === (f.username ?? "").toLowerCase());
        if (!user || user.password !== f.password) return error(res, req, 50126, vars);
        if (user.mfa) return error(res, req, 50076, vars);
        if (user.blockedByConditionalAccess) return error(res, req, 53003, vars);
        if (client.consented === false) return error(res, req, 65001, vars);
        return sendJson(res, 200, await delegatedTokens(tenant, client, user.username, f.scope ?? "", (f.scope ?? "").includes("offline_access")));
      }
      case "client_credentials": {
        if (!(await authenticateClient(req, res, tenant, client, true))) return;
        const scope = f.scope ?? "";
        if (!/\/\.default$/.test(scope.trim())) return error(res, req, 1002012, vars);
        const { aud } = resourceOf(scope);
        const roles = client.roles ?? (aud.includes("graph") ? ["Mail.Send"] : ["SMTP.SendAsApp", "IMAP.AccessAsApp"]);
        const accessToken = await issueTestAccessToken(
          { aud, iss: `https://sts.windows.net/${tenant}/`, tid: tenant, appid: client.clientId, azp: client.clientId, roles, oid: `sp-${client.clientId}`, sub: `sp-${client.clientId}`, idtyp: "app", ver: "1.0" },
          lifetime,
        );
        return sendJson(res, 200, { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
      }
      case "authorization_code": {
        const grant = codes.get(f.code ?? "");
        if (!grant || grant.clientId !== client.clientId || grant.tenant !== tenant || grant.expires < Date.now()) return error(res, req, 70008, vars);
        codes.delete(f.code ?? "");
        if (!(await authenticateClient(req, res, tenant, client, false))) return;
        if (grant.redirectUri !== f.redirect_uri) return error(res, req, 50011, { ...vars, redirect: f.redirect_uri ?? "" }, { error: "invalid_grant" });
        if (grant.challenge) {
          const verifier = f.code_verifier ?? "";
          const computed = grant.method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
          if (computed !== grant.challenge) return error(res, req, 501481, vars);
        }
        return sendJson(res, 200, await delegatedTokens(tenant, client, grant.username, grant.scope, true));
      }
      case "refresh_token": {
        const grant = refreshTokens.get(f.refresh_token ?? "");
        if (!grant || grant.clientId !== client.clientId || grant.tenant !== tenant) return error(res, req, 70043, vars);
        if (!(await authenticateClient(req, res, tenant, client, false))) return;
        const body = await delegatedTokens(tenant, client, grant.username, f.scope || grant.scope, rotate);
        if (!rotate) body.refresh_token = f.refresh_token;
        else if (revokeRotated) refreshTokens.delete(f.refresh_token ?? "");
        return sendJson(res, 200, body);
      }
      case "urn:ietf:params:oauth:grant-type:device_code": {
        const grant = deviceCodes.get(f.device_code ?? "");
        if (!grant || grant.clientId !== client.clientId || grant.tenant !== tenant) {
          return sendJson(res, 400, { error: "bad_verification_code", error_description: "The device_code sent to the token endpoint was not recognized." });
        }
        grant.polls++;
        if (!(await authenticateClient(req, res, tenant, client, false))) return;
        if (grant.expires < Date.now()) return error(res, req, 70019, vars);
        if (grant.state === "pending") return error(res, req, 70016, vars);
        if (grant.state === "declined") return sendJson(res, 400, { error: "authorization_declined", error_description: "The end user denied the authorization request." });
        deviceCodes.delete(f.device_code ?? "");
        if (client.consented === false) return error(res, req, 65001, vars);
        return sendJson(res, 200, await delegatedTokens(tenant, client, grant.username ?? users[0]?.username ?? "user@contoso.com", grant.scope, grant.scope.split(/\s+/).includes("offline_access")));
      }
      default:
        return sendJson(res, 400, aadstsBody(70003, vars, correlationOf(req), { error: "unsupported_grant_type", description: `The app requested an unsupported grant type '${f.grant_type}'.` }).body);
    }
  }

  function handleAuthorize(req: FakeRequest, res: ServerResponse, raw: IncomingMessage, tenant: string) {
    const q = new URL(raw.url ?? "/", base).searchParams;
    const clientId = q.get("client_id") ?? "";
    const redirectUri = q.get("redirect_uri") ?? "";
    const state = q.get("state") ?? "";
    if (!tenantExists(tenant)) return sendHtml(res, 400, `<p>AADSTS90002: Tenant '${escapeHtml(tenant)}' not found.</p>`);
    const client = options.clients.find((c) => c.clientId === clientId);
    if (!client) return sendHtml(res, 400, `<p>AADSTS700016: Application with identifier '${escapeHtml(clientId)}' was not found in the directory.</p>`);
    if (!(client.redirectUris ?? []).includes(redirectUri)) {
      // Entra shows an error page and does NOT redirect to an unregistered URI.
      return sendHtml(res, 400, `<h1>Sorry, but we're having trouble signing you in.</h1><p>AADSTS50011: The redirect URI '${escapeHtml(redirectUri)}' specified in the request does not match the redirect URIs configured for the application '${escapeHtml(clientId)}'.</p>`);
    }
    const decision = q.get("decision");
    const back = new URL(redirectUri);
    if (decision === "decline") {
      back.searchParams.set("error", "access_denied");
      back.searchParams.set("error_description", "AADSTS65004: User declined to consent to access the app.");
      back.searchParams.set("state", state);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (decision === "accept" || options.authorize === "auto") {
      if (client.consented === false) {
        back.searchParams.set("error", "consent_required");
        back.searchParams.set("error_description", `AADSTS65001: The user or administrator has not consented to use the application with ID '${clientId}'.`);
        back.searchParams.set("state", state);
      } else {
        const code = `fake-code-${randomBytes(24).toString("base64url")}`;
        const username = q.get("login_hint") || users[0]?.username || "user@contoso.com";
        codes.set(code, { clientId, tenant, redirectUri, scope: q.get("scope") ?? "", challenge: q.get("code_challenge") ?? undefined, method: q.get("code_challenge_method") ?? undefined, username, expires: Date.now() + 5 * 60_000 });
        back.searchParams.set("code", code);
        back.searchParams.set("state", state);
        back.searchParams.set("session_state", randomUUID());
      }
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    const accept = new URL(raw.url ?? "/", base);
    accept.searchParams.set("decision", "accept");
    const decline = new URL(raw.url ?? "/", base);
    decline.searchParams.set("decision", "decline");
    sendHtml(
      res,
      200,
      `<!doctype html><html lang="en"><head><title>Fake Entra ID – Permissions requested</title></head><body><main><h1>Permissions requested</h1><p>App <code>${escapeHtml(clientId)}</code> asks for: <code>${escapeHtml(q.get("scope") ?? "")}</code></p><p><a role="button" href="${escapeHtml(accept.pathname + accept.search)}">Accept</a> <a role="button" href="${escapeHtml(decline.pathname + decline.search)}">Decline</a></p></main></body></html>`,
    );
  }

  const fake = await startHttpsFake({
    failurePath: (path) => path.endsWith("/oauth2/v2.0/token") || path.endsWith("/oauth2/token"),
    respondFailure: (failure, req, res) => {
      if (failure.kind === "status") return sendJson(res, failure.status, aadstsBody(failure.status === 429 ? 50196 : 50000, {}, correlationOf(req), { error: "temporarily_unavailable", description: "The service is temporarily unavailable. Please try again later." }).body);
      if (failure.kind === "html") return sendHtml(res, failure.status ?? 502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p></body></html>");
      if (failure.kind === "truncated") {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        return res.end('{"token_type":"Bearer","expires_in":3599,"access_tok');
      }
      if (failure.kind === "error") {
        const code = failure.aadsts ?? 50000;
        const { status, body } = aadstsBody(code, { app: req.clientId ?? "", tenant: req.path.split("/")[1] ?? "", redirect: req.form.redirect_uri ?? "", scope: req.form.scope ?? "" }, correlationOf(req), { error: failure.error, description: failure.description });
        return sendJson(res, failure.status ?? status, body);
      }
    },
    handler: async (req, res, raw) => {
      const segments = req.path.split("/").filter(Boolean);
      const tenant = decodeURIComponent(segments[0] ?? "");
      const rest = segments.slice(1).join("/");
      if (req.method === "GET" && (rest === "v2.0/.well-known/openid-configuration" || rest === ".well-known/openid-configuration")) {
        return sendJson(res, 200, {
          token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
          token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
          jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
          response_modes_supported: ["query", "fragment", "form_post"],
          subject_types_supported: ["pairwise"],
          id_token_signing_alg_values_supported: ["RS256"],
          response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
          scopes_supported: ["openid", "profile", "email", "offline_access"],
          issuer: `${base}/${tenant}/v2.0`,
          request_uri_parameter_supported: false,
          userinfo_endpoint: `${base}/oidc/userinfo`,
          authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
          device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
          http_logout_supported: true,
          frontchannel_logout_supported: true,
          end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
          claims_supported: ["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "ver", "email"],
          tenant_region_scope: "EU",
          cloud_instance_name: "127.0.0.1",
        });
      }
      if (req.method === "GET" && rest === "discovery/v2.0/keys") return sendJson(res, 200, { keys: [await testIdpJwk()] });
      if (req.method === "GET" && segments[0] === "common" && rest === "discovery/instance") {
        const host = `127.0.0.1:${fake.port}`;
        return sendJson(res, 200, { tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`, "api-version": "1.1", metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }] });
      }
      if (req.method === "POST" && (rest === "oauth2/v2.0/token" || rest === "oauth2/token")) return handleToken(req, res, tenant);
      if (req.method === "GET" && rest === "oauth2/v2.0/authorize") return handleAuthorize(req, res, raw, tenant);
      if (req.method === "POST" && rest === "oauth2/v2.0/devicecode") {
        // Entra's device authorization endpoint: same tenant and client checks as /token.
        if (!tenantExists(tenant)) return error(res, req, 90002, { tenant });
        const client = options.clients.find((c) => c.clientId === req.form.client_id && (!c.tenants || c.tenants.includes(tenant)));
        if (!client) return error(res, req, 700016, { app: req.form.client_id ?? "", tenant });
        const expiresIn = options.deviceCodeExpiresIn ?? 900;
        const interval = options.deviceCodeInterval ?? 5;
        const userCode = randomBytes(6).toString("base64url").replace(/[^A-Za-z0-9]/g, "X").toUpperCase().slice(0, 9).padEnd(9, "K");
        const deviceCode = `DAQABAAEAAA${randomBytes(48).toString("base64url")}`;
        deviceCodes.set(deviceCode, { userCode, clientId: client.clientId, tenant, scope: req.form.scope ?? "", state: "pending", expires: Date.now() + expiresIn * 1000, polls: 0 });
        return sendJson(res, 200, {
          user_code: userCode,
          device_code: deviceCode,
          verification_uri: "https://microsoft.com/devicelogin",
          expires_in: expiresIn,
          interval,
          message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${userCode} to authenticate.`,
        });
      }
      sendJson(res, 404, { error: "not_found", error_description: `fake Entra has no ${req.method} ${req.path}` });
    },
  });
  base = fake.url;

  return {
    ...fake,
    authority: (tenant) => `${base}/${tenant}`,
    tokenUrl: (tenant) => `${base}/${tenant}/oauth2/v2.0/token`,
    tokenRequests: () => fake.requests.filter((r) => r.path.endsWith("/token")),
    setTokenLifetime(seconds) {
      lifetime = seconds;
    },
    revokeRefreshTokens() {
      refreshTokens.clear();
    },
    validRefreshTokens: () => [...refreshTokens.keys()],
    assertionHeaders,
    deviceCodes: () => [...deviceCodes.values()],
    approveDeviceCode(userCode, username) {
      const d = byUserCode(userCode);
      d.state = "approved";
      d.username = username ?? d.username;
    },
    declineDeviceCode(userCode) {
      byUserCode(userCode).state = "declined";
    },
    expireDeviceCode(userCode) {
      byUserCode(userCode).expires = 0;
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
