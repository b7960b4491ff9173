import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { FIXTURE_SECRETS, fixtureProfile } from "@/tests/fixtures/profiles";
import { runCliCaptured } from "@/tests/helpers/cli";

const db = useTestDb();

const cli = runCliCaptured;

describe("CLI twin of the console", () => {
  it("creates profiles from JSON files and lists them", async () => {
    const file = path.join(db.dir, "p.json");
    fs.writeFileSync(file, JSON.stringify(fixtureProfile("m365-delegated", "cli-delegated")));
    expect(await cli(["profile", "create", "--file", file])).toMatchObject({ code: 0 });
    const list = await cli(["profile", "list", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).map((p: { name: string }) => p.name)).toContain("cli-delegated");
    expect((await cli(["profile", "list"])).out).toMatch(/cli-delegated\s+M365 DELEGATE/);
  });

  it("shows a profile with secrets masked", async () => {
    const res = await cli(["profile", "show", "cli-delegated", "--json"]);
    expect(res.code).toBe(0);
    const shown = JSON.parse(res.out);
    expect(shown.secrets).toEqual({ password: "set (hidden)", clientSecret: "set (hidden)" });
    for (const s of FIXTURE_SECRETS) expect(res.out).not.toContain(s);
    expect((await cli(["profile", "show", "cli-delegated"])).out).toContain("set (hidden)");
  });

  it("exits 2 naming the field for bad input", async () => {
    const file = path.join(db.dir, "bad.json");
    fs.writeFileSync(file, JSON.stringify({ settings: { kind: "log-only", name: "bad", fromAddress: "nope" } }));
    const res = await cli(["profile", "create", "--file", file]);
    expect(res.code).toBe(2);
    expect(res.err).toContain("settings.fromAddress");
    fs.writeFileSync(file, '{\n  "settings": {\n    "kind": "log-only",\n  }\n}');
    const broken = await cli(["profile", "create", "--file", file]);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/not valid JSON at line 4/);
    expect((await cli(["profile", "create"])).code).toBe(2);
    expect((await cli(["nonsense"])).code).toBe(2);
  });

  it("exits 1 for a missing profile and deletes existing ones", async () => {
    expect((await cli(["profile", "delete", "nope"])).code).toBe(1);
    expect(await cli(["profile", "delete", "cli-delegated"])).toMatchObject({ code: 0, out: 'Deleted profile "cli-delegated"' });
  });

  it("creates admins with the password from stdin", async () => {
    expect((await cli(["admin", "create", "--username", "ops"], "short\n")).code).toBe(2);
    expect(await cli(["admin", "create", "--username", "ops"], "A-very-long-password-1\n")).toMatchObject({ code: 0 });
    expect((await cli(["admin", "create", "--username", "ops"], "A-very-long-password-1\n")).code).toBe(2);
  });
});
