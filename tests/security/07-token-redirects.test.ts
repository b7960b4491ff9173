import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpsFake, type HttpsFake } from "@/tests/fakes/fake-entra";
import { CLIENT, TENANT } from "@/tests/fixtures/profiles";
import { acquireGenericToken } from "@/lib/oauth/generic";
import { acquireByPassword } from "@/lib/oauth/ropc";
import { acquireByClientCredentials } from "@/lib/oauth/client-credentials";

// Issue 12 point 7: after a 307 the client secret (generic grant) and the delegated password
// (MSAL password grant) were re-posted in clear to an http URL. Token requests never follow
// redirects — MSAL's network client included.
const PASSWORD = "Redirect-Delegated-Pa55word-0007";
const SECRET = "Redirect~ClientSecret~0007";

let idp: HttpsFake;
let plain: http.Server;
let plainUrl: string;
const plainBodies: string[] = [];

beforeAll(async () => {
  // The http endpoint the redirect points at: records whatever reaches it.
  plain = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      plainBodies.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ access_token: "stolen", token_type: "Bearer", expires_in: 3600 }));
    });
  });
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  plainUrl = `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
  // An IdP (or a proxy in front of it) that answers every token POST with 307 to plain http.
  idp = await startHttpsFake({
    failurePath: () => false,
    respondFailure: () => undefined,
    handler: (req, res) => {
      res.writeHead(307, { location: `${plainUrl}${req.path}` });
      res.end();
    },
  });
});
afterAll(async () => {
  await idp.close();
  await new Promise((r) => plain.close(r));
});

describe("security 12.7: token requests never follow redirects", () => {
  it("refuses a 307 from the generic grant, MSAL's password grant and MSAL's client credentials; nothing reaches the http URL", async () => {
    const msalUrl = `${idp.url}/${TENANT}/oauth2/v2.0/token`;
    const attempts = [
      acquireGenericToken({ tokenUrl: `${idp.url}/oauth2/token`, clientId: "generic-client", grant: { type: "password", username: "svc", password: PASSWORD }, auth: { method: "client_secret_post", clientSecret: SECRET }, timeoutMs: 10_000 }),
      acquireByPassword({ tokenUrl: msalUrl, tenantId: TENANT, clientId: CLIENT, username: "sender@contoso.com", password: PASSWORD, clientSecret: SECRET, scope: "https://outlook.office365.com/SMTP.Send", timeoutMs: 10_000 }),
      acquireByClientCredentials({ tokenUrl: msalUrl, tenantId: TENANT, clientId: CLIENT, credential: { type: "secret", clientSecret: SECRET }, scope: "https://graph.microsoft.com/.default", timeoutMs: 10_000 }),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(
        () => null,
        (e: unknown) => e as { userMessage: string; remoteCode?: string },
      );
      expect(error?.userMessage).toContain("HTTP 307, a redirect to http://127.0.0.1");
      expect(error?.userMessage).toContain("never follow redirects");
      expect(error?.remoteCode).toBe("http_307");
    }
    expect(idp.requests.length).toBeGreaterThanOrEqual(3);
    expect(plainBodies).toEqual([]);
  });
});
