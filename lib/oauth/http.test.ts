import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTokenHttp } from "./http";

/** A token endpoint that resets the connection of the first `resets` requests, then answers JSON. */
async function endpoint(resets: number): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    req.resume();
    if (hits <= resets) {
      req.socket.destroy();
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ token_type: "Bearer", access_token: "eyJ.fake.token", expires_in: 3599 }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tenant/oauth2/v2.0/token`,
    hits: () => hits,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe("token HTTP transport", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it("retries once, on a new connection, when the connection is reset before an answer; both tries are in the transcript", async () => {
    const ep = await endpoint(1);
    close = ep.close;
    const t = createTokenHttp({ timeoutMs: 5000 });
    const res = await t.msalNetwork.sendPostRequestAsync<{ access_token: string }>(ep.url, { body: "grant_type=client_credentials&client_secret=s3cr3t-value", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(200);
    expect(ep.hits()).toBe(2);
    expect(t.exchanges).toHaveLength(2);
    expect(t.exchanges[0].networkError?.code).toBe("ECONNRESET");
    expect(t.lastExchange()?.status).toBe(200);
    const transcript = t.transcript().join("\n");
    expect(transcript).toMatch(/no response: ECONNRESET[\s\S]*HTTP 200/);
    expect(transcript).not.toContain("s3cr3t-value");
    expect(transcript).not.toContain("eyJ.fake.token");
  });

  it("gives up after the second reset and names it", async () => {
    const ep = await endpoint(2);
    close = ep.close;
    const t = createTokenHttp({ timeoutMs: 5000 });
    await expect(t.fetch(ep.url, { method: "POST", body: "grant_type=client_credentials" })).rejects.toThrow();
    expect(ep.hits()).toBe(2);
    expect(t.exchanges.map((x) => x.networkError?.code)).toEqual(["ECONNRESET", "ECONNRESET"]);
  });

  it("does not retry a refused connection or a timeout", async () => {
    const ep = await endpoint(0);
    const url = ep.url;
    await ep.close();
    const refused = createTokenHttp({ timeoutMs: 5000 });
    await expect(refused.fetch(url, { method: "POST", body: "x=1" })).rejects.toThrow();
    expect(refused.exchanges.map((x) => x.networkError?.code)).toEqual(["ECONNREFUSED"]);

    const hang = http.createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    close = () =>
      new Promise((r) => {
        hang.closeAllConnections();
        hang.close(() => r());
      });
    const slow = createTokenHttp({ timeoutMs: 300 });
    await expect(slow.fetch(`http://127.0.0.1:${(hang.address() as AddressInfo).port}/token`, { method: "POST", body: "x=1" })).rejects.toThrow();
    expect(slow.exchanges.map((x) => x.networkError?.code)).toEqual(["ETIMEDOUT"]);
  });
});
