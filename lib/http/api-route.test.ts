import { describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import { isSameOrigin, ndjsonResponse } from "./api-route";

function req(headers: Record<string, string>, url = "http://127.0.0.1:3210/api/profiles/x/send-test"): Request {
  return new Request(url, { method: "POST", headers });
}

async function lines(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe("isSameOrigin (the CSRF check of the JSON route handlers)", () => {
  it("accepts no Origin and the console's own host", () => {
    expect(isSameOrigin(req({}))).toBe(true);
    expect(isSameOrigin(req({ origin: "http://127.0.0.1:3210", host: "127.0.0.1:3210" }))).toBe(true);
  });

  it("accepts the host a TLS proxy forwarded (scheme aside)", () => {
    expect(isSameOrigin(req({ origin: "https://mail-console.example.com", host: "127.0.0.1:3210", "x-forwarded-host": "mail-console.example.com" }))).toBe(true);
  });

  it("refuses other hosts, other ports, null and garbage", () => {
    expect(isSameOrigin(req({ origin: "https://evil.example", host: "127.0.0.1:3210" }))).toBe(false);
    expect(isSameOrigin(req({ origin: "http://127.0.0.1:3999", host: "127.0.0.1:3210" }))).toBe(false);
    expect(isSameOrigin(req({ origin: "null", host: "127.0.0.1:3210" }))).toBe(false);
    expect(isSameOrigin(req({ origin: "not a url", host: "127.0.0.1:3210" }))).toBe(false);
  });
});

describe("ndjsonResponse", () => {
  it("streams one JSON object per line, in order, with no-store and the NDJSON type", async () => {
    const res = ndjsonResponse<{ type: string; n: number }>(async (emit) => {
      emit({ type: "progress", n: 1 });
      await new Promise((r) => setTimeout(r, 5));
      emit({ type: "result", n: 2 });
    });
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await lines(res)).toEqual([
      { type: "progress", n: 1 },
      { type: "result", n: 2 },
    ]);
  });

  it("turns an AppError into one safe error line", async () => {
    const res = ndjsonResponse(async () => {
      throw new AppError("unsupported", "Profile \"x\" has SMTP switched off.", { hint: "Enable SMTP.", field: "settings.useSmtp" });
    });
    expect(await lines(res)).toEqual([{ type: "error", code: "unsupported", message: 'Profile "x" has SMTP switched off.', hint: "Enable SMTP.", field: "settings.useSmtp" }]);
  });

  it("reports an unexpected error without its message", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = ndjsonResponse(async () => {
      throw new Error("internal detail that must not reach the browser");
    });
    const out = await lines(res);
    expect(out).toEqual([{ type: "error", code: "internal", message: "The test stopped unexpectedly.", hint: "See the server log and the Logs page." }]);
    expect(JSON.stringify(out)).not.toContain("internal detail");
    log.mockRestore();
  });

  it("keeps running when the reader goes away", async () => {
    let finished = false;
    const res = ndjsonResponse<{ n: number }>(async (emit) => {
      emit({ n: 1 });
      await new Promise((r) => setTimeout(r, 20));
      emit({ n: 2 });
      finished = true;
    });
    await res.body!.cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(finished).toBe(true);
  });
});
