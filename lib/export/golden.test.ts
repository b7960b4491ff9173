import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureProfile, SECRET } from "@/tests/fixtures/profiles";
import { EXPORT_FORMATS, renderExport } from "./formats";
import { NOW, storedSettings } from "@/tests/fixtures/stored-settings";
import type { ExportInput } from "./types";

/**
 * Golden files: one per format × applicable kind (without secrets), plus variants with secrets
 * and a cached token. Regenerate deliberately with UPDATE_GOLDEN=1 and review the diff.
 */
// Golden files hold output made from the test fixtures (a generated test key included).
const dir = path.join(__dirname, "__fixtures__", "golden");
const update = process.env.UPDATE_GOLDEN === "1";

function golden(name: string, content: string): void {
  const file = path.join(dir, name);
  if (update) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, content);
  }
  expect(fs.existsSync(file), `missing golden ${name}; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(content).toBe(fs.readFileSync(file, "utf8"));
}

const cases = EXPORT_FORMATS.flatMap((f) => f.kinds.map((kind) => ({ format: f, kind })));

describe("golden files", () => {
  it.each(cases.map((c) => [c.format.id, c.kind, c] as const))("%s for %s", (_id, kind, { format }) => {
    const result = renderExport(format.id, { settings: storedSettings(kind), now: NOW });
    golden(`${format.id}.${kind}.${format.extension}`, result.content);
    expect(result.contentType).toBe(format.contentType);
    expect(result.filename.endsWith(`.${format.extension}`) || result.filename === "iMailOAuth.config").toBe(true);
  });

  it("covers every format and kind combination with a golden file and nothing else", () => {
    const expected = new Set(cases.map((c) => `${c.format.id}.${c.kind}.${c.format.extension}`));
    const extra = fs.readdirSync(dir).filter((f) => !f.includes(".secrets.") && !expected.has(f));
    expect(extra).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  const withSecrets: Array<[string, string, ExportInput]> = [
    [
      "imail-config",
      "imail-config.m365-delegated.secrets.config",
      {
        settings: storedSettings("m365-delegated"),
        secrets: { password: SECRET.delegatedPassword, clientSecret: SECRET.delegatedClientSecret },
        cachedToken: { accessToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJzY3AiOiJTTVRQLlNlbmQifQ.", expiresAt: new Date("2026-07-01T17:04:05Z") },
        now: NOW,
      },
    ],
    [
      "imail-config",
      "imail-config.m365-app-graph.secrets.config",
      {
        settings: storedSettings("m365-app-graph", "Fixture m365-app-graph", { ibmiTimeZone: "Europe/Berlin", ibmiConfigFolder: "/home/imail" }),
        secrets: { clientSecret: SECRET.graphClientSecret },
        cachedToken: { accessToken: "opaque-token-value", expiresAt: new Date("2026-01-15T23:30:00Z") },
        now: NOW,
      },
    ],
    [
      "ibmi-json",
      "ibmi-json.m365-app-smtp.secrets.json",
      { settings: storedSettings("m365-app-smtp", "Fixture m365-app-smtp", { credentialType: "secret", certificatePem: undefined }), secrets: { clientSecret: SECRET.smtpAppClientSecret }, now: NOW },
    ],
    [
      "ibmi-json",
      "ibmi-json.google-service-account.secrets.json",
      { settings: storedSettings("google-service-account"), secrets: fixtureProfile("google-service-account").secrets, now: NOW },
    ],
    [
      "java-properties-list",
      "java-properties-list.m365-delegated.secrets.txt",
      { settings: storedSettings("m365-delegated"), secrets: { password: SECRET.delegatedPassword, clientSecret: SECRET.delegatedClientSecret }, now: NOW },
    ],
  ];
  it.each(withSecrets)("%s with secrets (%s)", (format, file, input) => {
    const result = renderExport(format, input);
    golden(file, result.content);
    expect(result.content).not.toMatch(/<CLIENT_SECRET>|<DELEGATED_PASSWORD>|<client_secret>/);
  });
});
