import { describe, expect, it } from "vitest";
import { useTestDb } from "@/tests/helpers/test-db";
import { fixtureProfile } from "@/tests/fixtures/profiles";
import { getDb } from "../db/client";
import { createProfile, listProfiles } from "./dal";
import type { Actor } from "../auth/actor";

const alice: Actor = { id: "a1", username: "alice", via: "web" };
useTestDb();

/** name → status; names chosen so that name order and "failures first" order differ. */
const SEED: [string, string][] = [
  ["a-ok", "ok"],
  ["b-untested", "untested"],
  ["c-failing", "failing"],
  ["d-ok", "ok"],
  ["e-reauth", "needs-reauth"],
  ["f-failing", "failing"],
  ["g-custom", "zz-later"],
];

describe("listProfiles: status filter and sort (dashboard tiles, failures first)", () => {
  it("sorts failures first, then re-authorization, untested, working, unknown statuses; names within a status", async () => {
    for (const [name, status] of SEED) {
      const p = await createProfile(alice, fixtureProfile("m365-app-graph", name));
      // Any stored status, also ones no check sets today ("zz-later"): written directly.
      await getDb().profile.update({ where: { id: p.id }, data: { status } });
    }
    const all = await listProfiles(alice, { sort: "status", pageSize: 100 });
    expect(all.items.map((p) => p.name)).toEqual(["c-failing", "f-failing", "e-reauth", "b-untested", "a-ok", "d-ok", "g-custom"]);
    expect(all.total).toBe(7);
    // Default stays name order (the CLI lists by name).
    expect((await listProfiles(alice, { pageSize: 100 })).items.map((p) => p.name)).toEqual(SEED.map(([n]) => n));
  });

  it("pages across status groups without gaps or repeats", async () => {
    const names: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const res = await listProfiles(alice, { sort: "status", pageSize: 2, page });
      expect(res.total).toBe(7);
      names.push(...res.items.map((p) => p.name));
    }
    expect(names).toEqual(["c-failing", "f-failing", "e-reauth", "b-untested", "a-ok", "d-ok", "g-custom"]);
  });

  it("filters by one or several statuses, combined with search", async () => {
    const problems = await listProfiles(alice, { statuses: ["failing", "needs-reauth"], sort: "status" });
    expect(problems.items.map((p) => p.name)).toEqual(["c-failing", "f-failing", "e-reauth"]);
    expect(problems.total).toBe(3);
    const f = await listProfiles(alice, { statuses: ["failing"], query: "f-" });
    expect(f.items.map((p) => p.name)).toEqual(["f-failing"]);
  });

  it("sorts by last change, newest first", async () => {
    const res = await listProfiles(alice, { sort: "updated", pageSize: 100 });
    const times = res.items.map((p) => Date.parse(p.updatedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("name order ignores letter case (names are unique ignoring it)", async () => {
    for (const name of ["Zeta", "iMail app", "IBM i gmail", "alpha"]) await createProfile(alice, fixtureProfile("m365-app-graph", name));
    const names = (await listProfiles(alice, { sort: "name", pageSize: 100 })).items.map((p) => p.name);
    expect(names.filter((n) => !/^[a-g]-/.test(n))).toEqual(["alpha", "IBM i gmail", "iMail app", "Zeta"]);
  });
});
