import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The layer rules of eslint.config.mjs (ARCHITECTURE.md "who may import whom"), proven on code
 * written for the test: each forbidden import is reported with its rule, and the same file with
 * an allowed import is clean. Files are linted as if they lived at `filePath`, so the zones apply.
 */

const root = path.resolve(__dirname, "../..");
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return result.messages.filter((m) => m.ruleId === "import/no-restricted-paths" || m.ruleId === "local/client-boundary").map((m) => `${m.ruleId}: ${m.message}`);
}

describe("layer zones", () => {
  it.each<[string, string, string]>([
    ["lib/export/probe.ts", "components", 'import { ImportForm } from "@/components/exports/import-form";\nexport const x = ImportForm;\n'],
    ["lib/export/probe.ts", "app", 'import { exportWithSecretsAction } from "@/app/(console)/profiles/[profileId]/export/actions";\nexport const x = exportWithSecretsAction;\n'],
    ["lib/export/probe.ts", "cli", 'import { commands } from "../../cli/commands/export";\nexport const x = commands;\n'],
    ["lib/export/probe.ts", "tests", 'import { fixtureProfile } from "@/tests/fixtures/profiles";\nexport const x = fixtureProfile;\n'],
    ["lib/http/probe.ts", "lib/http", 'import { getProfile } from "../profiles/dal";\nexport const x = getProfile;\n'],
    ["lib/http/probe.ts", "lib/http", 'import type { SendResult } from "@/lib/mail/send-test";\nexport type X = SendResult;\n'],
    ["lib/oauth/probe.ts", "lib/oauth", 'import { PROFILE_KINDS } from "../profiles/schema";\nexport const x = PROFILE_KINDS;\n'],
    ["components/profiles/probe.tsx", "components never import app/", 'import { importProfileAction } from "@/app/(console)/import/actions";\nexport const x = importProfileAction;\n'],
  ])("%s: an import from %s is refused", async (file, what, code) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^import\/no-restricted-paths: Unexpected path/);
    expect(errors[0]).toContain(what);
  });

  it("lets lib/ import lib/, lib/http import errors and auth, and a unit test import the fakes", async () => {
    expect(await layerErrors("lib/export/probe.ts", 'import { AppError } from "../errors";\nimport { PROFILE_KINDS } from "../profiles/schema";\nexport const x = [AppError, PROFILE_KINDS];\n')).toEqual([]);
    expect(await layerErrors("lib/http/probe.ts", 'import { AppError } from "../errors";\nimport type { Actor } from "../auth/actor";\nexport const x = AppError;\nexport type A = Actor;\n')).toEqual([]);
    expect(await layerErrors("lib/export/probe.test.ts", 'import { fixtureProfile } from "@/tests/fixtures/profiles";\nexport const x = fixtureProfile;\n')).toEqual([]);
  });
});

describe("client components", () => {
  const client = (imports: string) => `"use client";\n${imports}\nexport const x = 1;\n`;

  it.each([
    ['import { getProfile } from "@/lib/profiles/dal";', "server module"],
    ['import { getDb } from "@/lib/db/client";', "server module"],
    ['import { exportProfile } from "@/lib/export/service";', "server module"],
    ['import { getAccessToken } from "@/lib/tokens";', "server module"],
    ['import { apiError } from "@/lib/http/api-route";', 'marked import "server-only"'],
    ['import { recordTestOutcome } from "../../lib/mail/test-outcome";', 'marked import "server-only"'],
    ['import { z } from "zod";', "validator library"],
    ['import { profileSettingsSchema } from "@/lib/profiles/schema";', "imports zod"],
  ])("%s is refused in a \"use client\" file", async (line, reason) => {
    const errors = await layerErrors("components/profiles/probe.tsx", client(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^local\/client-boundary: Client component imports/);
    expect(errors[0]).toContain(reason);
  });

  it("allows types from server modules, zod-free lib modules, and anything in a server component", async () => {
    expect(await layerErrors("components/profiles/probe.tsx", client('import type { ProfileDto } from "@/lib/profiles/dal";\nimport type { ProfileSettings } from "@/lib/profiles/schema";\nimport { KIND_LABELS } from "@/lib/profiles/kinds";\nimport { formatDateTime } from "@/lib/format";'))).toEqual([]);
    expect(await layerErrors("components/profiles/probe.tsx", 'import { getProfile } from "@/lib/profiles/dal";\nexport const x = getProfile;\n')).toEqual([]);
  });
});

it("the whole tree obeys the layers (no file needs an exception)", async () => {
  const results = await eslint.lintFiles(["lib", "components", "app", "cli", "proxy.ts"]);
  const broken = results.flatMap((r) => r.messages.filter((m) => m.ruleId === "import/no-restricted-paths" || m.ruleId === "local/client-boundary").map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`));
  expect(broken).toEqual([]);
}, 120_000);
