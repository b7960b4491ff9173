import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpsFake, type HttpsFake } from "@/tests/fakes/fake-entra";
import { CLIENT, TENANT } from "@/tests/fixtures/profiles";
import { acquireGenericToken } from "@/lib/oauth/generic";
import { acquireByClientCredentials } from "@/lib/oauth/client-credentials";

// Issue 12 point 11: an IdP sent a 150 MB token response and the console read all of it. A token
// response is a few KB: anything over the cap is refused unread.
const HUGE = 150 * 1024 * 1024;
let idp: HttpsFake;
const sentBytes: number[] = [];

beforeAll(async () => {
  // Streams up to 150 MB of JSON-ish bytes without a Content-Length (chunked), as fast as the
  // client reads; records how much it managed to send before the client hung up.
  idp = await startHttpsFake({
    failurePath: () => false,
    respondFailure: () => undefined,
    handler: (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      let sent = 0;
      const index = sentBytes.push(0) - 1;
      const pump = () => {
        while (sent < HUGE && !res.destroyed) {
          sent += chunk.length;
          sentBytes[index] = sent;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        if (!res.destroyed) res.end();
      };
      res.write('{"access_token":"');
      pump();
    },
  });
});
afterAll(() => idp.close());

describe("security 12.11: token responses have a size cap", () => {
  it("refuses a 150 MB token response after reading at most about 1 MB, on the generic and the MSAL path", async () => {
    const attempts = [
      acquireGenericToken({ tokenUrl: `${idp.url}/oauth2/token`, clientId: "generic-client", grant: { type: "client_credentials" }, auth: { method: "client_secret_post", clientSecret: "Cap~Secret~0011" }, timeoutMs: 60_000 }),
      acquireByClientCredentials({ tokenUrl: `${idp.url}/${TENANT}/oauth2/v2.0/token`, tenantId: TENANT, clientId: CLIENT, credential: { type: "secret", clientSecret: "Cap~Secret~0011" }, scope: "https://graph.microsoft.com/.default", timeoutMs: 60_000 }),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(
        () => null,
        (e: unknown) => e as { userMessage: string; remoteCode?: string },
      );
      expect(error?.userMessage).toContain("larger than 1024 KB");
      expect(error?.remoteCode).toBe("response_too_large");
    }
    // The fake could only push what the socket buffers hold beyond the 1 MB read: far from 150 MB.
    expect(sentBytes.length).toBe(2);
    for (const n of sentBytes) expect(n).toBeLessThan(32 * 1024 * 1024);
  });
});
