import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import local from "./eslint-rules/client-boundary.mjs";

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "tests/**", "e2e/**", "bench/**"];

/**
 * Layers (ARCHITECTURE.md): imports point downward only. `lib/` is below every entry point and
 * never reaches up into app/, components/, cli/ or the test helpers; lib/http (request guards,
 * wire types) knows no domain module; components never import app/ (pages pass actions as props).
 */
const ENTRY_ZONES = [
  { target: "./lib", from: ["./app", "./components", "./cli"], message: "lib/ is below the entry points: move the shared code into lib/ and import it from app/ or cli/." },
  { target: "./components", from: "./app", message: "components never import app/: the page passes the action or data as a prop." },
];
const LAYER_ZONES = [
  ...ENTRY_ZONES,
  { target: "./lib", from: ["./tests", "./e2e", "./bench"], message: "Only tests may import test helpers; fixtures used by lib/ code belong in lib/." },
  {
    target: "./lib/http",
    from: "./lib",
    except: ["./http", "./auth", "./env.ts", "./errors.ts", "./read-capped.ts"],
    message: "lib/http is plumbing for route handlers: it may use lib/auth, lib/env and lib/errors, never a domain module (put shared wire types in lib/http).",
  },
  {
    target: "./lib/oauth",
    from: "./lib",
    except: ["./oauth", "./crypto", "./errors.ts", "./env.ts", "./constants.ts", "./redact.ts", "./read-capped.ts"],
    message: "lib/oauth is the protocol layer: plain values in, tokens out; it knows no profile, mail, export or storage module.",
  },
];

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [".next/**", "node_modules/**", "lib/generated/**", "data/**", ".tmp/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.mjs"],
    ignores: TESTS,
    plugins: { local },
    rules: {
      "import/no-restricted-paths": ["error", { zones: LAYER_ZONES }],
      "local/client-boundary": "error",
    },
  },
  {
    // Unit tests beside the code may use the fakes and fixtures in tests/.
    files: TESTS,
    rules: {
      "import/no-restricted-paths": ["error", { zones: ENTRY_ZONES }],
    },
  },
  {
    // Test fixture helpers such as useTestDb() are named like hooks but are not React hooks.
    files: ["**/*.test.ts", "tests/**", "bench/**"],
    rules: {
      "react-hooks/rules-of-hooks": "off",
    },
  },
];

export default config;
