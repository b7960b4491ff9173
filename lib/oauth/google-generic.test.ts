import https from "node:https";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeGoogle, type FakeGoogle } from "@/tests/fakes/fake-google";
import { startHttpsFake, sendJson, type HttpsFake } from "@/tests/fakes/fake-entra";
import { issueTestAccessToken, verifyTestAccessToken } from "@/tests/fakes/idp-keys";
import { APP_CERT_KEY, APP_CERT_PEM, GOOGLE_SA_JSON } from "@/tests/fixtures/profiles";
import { acquireGoogleServiceAccountToken } from "./google-service-account";
import { acquireGenericToken } from "./generic";
import { describeCertificate } from "../crypto/certificate";
import { jwtVerify, decodeProtectedHeader } from "jose";
import { X509Certificate } from "node:crypto";

const sa = JSON.parse(GOOGLE_SA_JSON) as { client_email: string; client_id: string; private_key: string };
const timeoutMs = 5000;
let google: FakeGoogle;

beforeAll(async () => {
  google = await startFakeGoogle({
    serviceAccounts: [{ clientEmail: sa.client_email, clientId: sa.client_id, keyPem: sa.private_key, delegatedScopes: ["https://mail.google.com/"] }],
    users: ["sender@example.org"],
  });
});
afterAll(() => google.close());

describe("Google service account (JWT bearer) against the fake Google endpoint", () => {
  it("gets a token for the impersonated user, one request, no retries", async () => {
    const t = await acquireGoogleServiceAccountToken({ serviceAccountKey: GOOGLE_SA_JSON, impersonateUser: "sender@example.org", scope: "https://mail.google.com/", tokenUrl: google.tokenUrl, timeoutMs });
    const claims = await verifyTestAccessToken(t.accessToken);
    expect(claims).toMatchObject({ email: "sender@example.org", sub: "sender@example.org", scope: "https://mail.google.com/" });
    expect(t.claims).toMatchObject({ email: "sender@example.org", scp: "https://mail.google.com/" });
    expect(t.refreshToken).toBeUndefined();
    expect(google.tokenRequests()).toHaveLength(1);
    expect(google.tokenRequests()[0].form.grant_type).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
  });

  it("decodes unauthorized_client (scope not delegated) with the DWD fix naming the client ID", async () => {
    const err = await acquireGoogleServiceAccountToken({ serviceAccountKey: GOOGLE_SA_JSON, impersonateUser: "sender@example.org", scope: "https://www.googleapis.com/auth/gmail.send", tokenUrl: google.tokenUrl, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "unauthorized_client" });
    expect((err as { hint: string }).hint).toContain(sa.client_id);
    expect((err as { hint: string }).hint).toContain("Domain-wide delegation");
  });

  it("decodes invalid_grant for a wrong sub", async () => {
    const err = await acquireGoogleServiceAccountToken({ serviceAccountKey: GOOGLE_SA_JSON, impersonateUser: "nobody@example.org", scope: "https://mail.google.com/", tokenUrl: google.tokenUrl, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "invalid_grant" });
    expect((err as { userMessage: string }).userMessage).toMatch(/impersonate/);
  });

  it("a 503 is reported once, without gaxios retries", async () => {
    const before = google.tokenRequests().length;
    google.setFailure({ kind: "status", status: 503 });
    const err = await acquireGoogleServiceAccountToken({ serviceAccountKey: GOOGLE_SA_JSON, impersonateUser: "sender@example.org", scope: "https://mail.google.com/", tokenUrl: google.tokenUrl, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "HTTP_503", detail: { transient: true } });
    expect(google.tokenRequests().length - before).toBe(1);
  });

  it("decodes access_denied", async () => {
    google.setFailure({ kind: "error", error: "access_denied", description: "Requested client not authorized." });
    const err = await acquireGoogleServiceAccountToken({ serviceAccountKey: GOOGLE_SA_JSON, impersonateUser: "sender@example.org", scope: "https://mail.google.com/", tokenUrl: google.tokenUrl, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "access_denied" });
  });
});

describe("generic OAuth 2.0 token endpoint", () => {
  let server: HttpsFake;
  let tokenUrl: string;
  beforeAll(async () => {
    server = await startHttpsFake({
      failurePath: (p) => p === "/oauth2/token",
      respondFailure: (_f, _r, res) => sendJson(res, 503, {}),
      handler: async (req, res) => {
        const f = req.form;
        const basic = req.headers.authorization?.startsWith("Basic ") ? Buffer.from(req.headers.authorization.slice(6), "base64").toString() : undefined;
        let ok = false;
        if (basic) ok = basic === "generic-client:s3cret%2Bplus";
        else if (f.client_secret) ok = f.client_id === "generic-client" && f.client_secret === "s3cret+plus";
        else if (f.client_assertion) {
          const header = decodeProtectedHeader(f.client_assertion);
          const info = describeCertificate(APP_CERT_PEM);
          const { payload } = await jwtVerify(f.client_assertion, new X509Certificate(APP_CERT_PEM).publicKey, { audience: tokenUrl, issuer: "generic-client", subject: "generic-client" });
          ok = header.x5t === info.sha1Base64Url && header["x5t#S256"] === info.sha256Base64Url && Boolean(payload.jti);
        }
        if (!ok) return sendJson(res, 401, { error: "invalid_client", error_description: "Client authentication failed" });
        if (f.grant_type === "password" && (f.username !== "svc-mail" || f.password !== "pw")) return sendJson(res, 400, { error: "invalid_grant", error_description: "Bad credentials" });
        const token = f.scope === "opaque" ? "opaque-token-value-123" : await issueTestAccessToken({ aud: "mail", sub: f.username ?? "generic-client", scope: f.scope }, 600);
        sendJson(res, 200, { access_token: token, token_type: "Bearer", expires_in: 600, scope: f.scope });
      },
    });
    tokenUrl = `${server.url}/oauth2/token`;
  });
  afterAll(() => server.close());

  it.each(["client_secret_basic", "client_secret_post"] as const)("client_credentials with %s", async (method) => {
    const t = await acquireGenericToken({ tokenUrl, clientId: "generic-client", scope: "mail.send", grant: { type: "client_credentials" }, auth: { method, clientSecret: "s3cret+plus" }, timeoutMs });
    expect(t.claims).toMatchObject({ decoded: true, aud: "mail", scp: "mail.send" });
    expect(t.expiresAt.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });

  it("password grant with private_key_jwt (assertion verified at the server)", async () => {
    const t = await acquireGenericToken({ tokenUrl, clientId: "generic-client", scope: "mail.send", grant: { type: "password", username: "svc-mail", password: "pw" }, auth: { method: "private_key_jwt", certificatePem: APP_CERT_PEM, privateKey: APP_CERT_KEY }, timeoutMs });
    expect(t.claims.sub).toBe("svc-mail");
    expect(t.transcript?.join("\n")).not.toMatch(/password=pw\b/);
  });

  it("opaque tokens give a claims summary from the response", async () => {
    const t = await acquireGenericToken({ tokenUrl, clientId: "generic-client", scope: "opaque", grant: { type: "client_credentials" }, auth: { method: "client_secret_post", clientSecret: "s3cret+plus" }, timeoutMs });
    expect(t.claims).toMatchObject({ decoded: false, scp: "opaque" });
  });

  it("invalid_client is decoded; the secret never appears in the error", async () => {
    const err = await acquireGenericToken({ tokenUrl, clientId: "generic-client", grant: { type: "client_credentials" }, auth: { method: "client_secret_basic", clientSecret: "WrongSecretValue" }, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "invalid_client" });
    expect(JSON.stringify(err) + String(err)).not.toContain("WrongSecretValue");
  });
});

describe("network failures name the host", () => {
  it("connection refused", async () => {
    const probe = https.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const closedPort = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const err = await acquireGenericToken({ tokenUrl: `https://127.0.0.1:${closedPort}/token`, clientId: "c", grant: { type: "client_credentials" }, auth: { method: "client_secret_post", clientSecret: "x" }, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: "ECONNREFUSED" });
    expect((err as Error).message).toContain(`127.0.0.1:${closedPort}`);
  });

  it("DNS failure", async () => {
    const err = await acquireGenericToken({ tokenUrl: "https://no-such-host.invalid/token", clientId: "c", grant: { type: "client_credentials" }, auth: { method: "client_secret_post", clientSecret: "x" }, timeoutMs }).catch((e: unknown) => e);
    expect(err).toMatchObject({ remoteCode: expect.stringMatching(/ENOTFOUND|EAI_AGAIN/) });
    expect((err as Error).message).toContain("no-such-host.invalid");
  });

  it("untrusted TLS certificate", async () => {
    const { ensureTestCa } = (await import("../../scripts/test-ca.mjs" as string)) as { ensureTestCa: () => { untrustedCert: string; untrustedKey: string } };
    const ca = ensureTestCa();
    const server = https.createServer({ cert: fs.readFileSync(ca.untrustedCert), key: fs.readFileSync(ca.untrustedKey) }, (_q, r) => r.end("{}"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const err = await acquireGenericToken({ tokenUrl: `https://127.0.0.1:${port}/token`, clientId: "c", grant: { type: "client_credentials" }, auth: { method: "client_secret_post", clientSecret: "x" }, timeoutMs }).catch((e: unknown) => e);
      expect((err as { remoteCode: string }).remoteCode).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
      expect((err as Error).message).toContain(`127.0.0.1:${port}`);
      expect((err as { hint: string }).hint).toContain("NODE_EXTRA_CA_CERTS");
    } finally {
      server.close();
    }
  });

  it("timeout", async () => {
    const server = await startHttpsFake({ failurePath: () => true, respondFailure: () => undefined, handler: () => undefined });
    server.setFailure({ kind: "hang" });
    try {
      const started = Date.now();
      const err = await acquireGenericToken({ tokenUrl: `${server.url}/token`, clientId: "c", grant: { type: "client_credentials" }, auth: { method: "client_secret_post", clientSecret: "x" }, timeoutMs: 500 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "timeout", remoteCode: "ETIMEDOUT", detail: { transient: true } });
      expect(Date.now() - started).toBeLessThan(3000);
      expect((err as Error).message).toContain(`127.0.0.1:${server.port}`);
    } finally {
      await server.close();
    }
  });
});
