import fs from "node:fs";
import path from "node:path";

/**
 * `local/client-boundary`: a file that starts with "use client" is shipped to the browser, so it
 * may not import (other than `import type`) a module that only the server may run: a DAL, a
 * service, lib/db, lib/tokens, the session code, or any module marked `import "server-only"`.
 * Nor zod, directly or through a module that imports it: validation runs on the server, and the
 * browser bundle stays small (kind labels and defaults live in the zod-free lib/profiles/kinds.ts).
 * `import/no-restricted-paths` cannot see the directive, hence this rule.
 */

const EXTENSIONS = ["", ".ts", ".tsx", ".js", ".mjs", "/index.ts", "/index.tsx"];
const SERVER_PATHS = [/^lib\/db(\/|$)/, /^lib\/tokens(\/|$)/, /^lib\/auth\/session$/, /^lib\/[\w-]+(\/[\w-]+)*\/(dal|service)$/, /^lib\/generated\//];
const SERVER_ONLY = /^\s*import\s+["']server-only["']/m;
const IMPORTS_ZOD = /^\s*import\s+(?!type\b)[^;]*?from\s+["']zod["']/m;

function hasUseClient(program) {
  for (const node of program.body) {
    if (node.type !== "ExpressionStatement" || typeof node.directive !== "string") return false;
    if (node.directive === "use client") return true;
  }
  return false;
}

/** The project-relative module path (without extension) of an import, or null for packages. */
function projectPath(root, fromFile, source) {
  let abs;
  if (source.startsWith("@/")) abs = path.join(root, source.slice(2));
  else if (source.startsWith(".")) abs = path.resolve(path.dirname(fromFile), source);
  else return null;
  return path.relative(root, abs).split(path.sep).join("/");
}

function resolveFile(root, rel) {
  for (const ext of EXTENSIONS) {
    const file = path.join(root, rel + ext);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  return null;
}

function serverOnlyReason(root, rel) {
  const bare = rel.replace(/\.(ts|tsx|js|mjs)$/, "").replace(/\/index$/, "");
  if (SERVER_PATHS.some((re) => re.test(bare))) return "a server module (DAL, service, lib/db, lib/tokens or the session)";
  const file = resolveFile(root, rel);
  if (!file) return null;
  const text = fs.readFileSync(file, "utf8");
  if (SERVER_ONLY.test(text.slice(0, 2000))) return 'marked import "server-only"';
  if (IMPORTS_ZOD.test(text)) return "a module that imports zod (validation belongs on the server; use a zod-free module)";
  return null;
}

export const clientBoundary = {
  meta: {
    type: "problem",
    docs: { description: "Client components import no DAL, service, lib/db or server-only module" },
    schema: [],
    messages: {
      serverImport: 'Client component imports "{{source}}", {{reason}}. Pass data or a server action as props instead, or import only its types (import type).',
    },
  },
  create(context) {
    const root = context.cwd;
    let client = false;
    const check = (node, source, typeOnly) => {
      if (!client || typeOnly || typeof source !== "string") return;
      if (source === "zod") {
        context.report({ node, messageId: "serverImport", data: { source, reason: "the validator library (validation belongs on the server)" } });
        return;
      }
      const rel = projectPath(root, context.filename, source);
      if (!rel) return;
      const reason = serverOnlyReason(root, rel);
      if (reason) context.report({ node, messageId: "serverImport", data: { source, reason } });
    };
    return {
      Program(node) {
        client = hasUseClient(node);
      },
      ImportDeclaration(node) {
        const typeOnly = node.importKind === "type" || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === "type"));
        check(node, node.source.value, typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value, node.exportKind === "type");
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value, node.exportKind === "type");
      },
      ImportExpression(node) {
        if (node.source.type === "Literal") check(node, node.source.value, false);
      },
    };
  },
};

const plugin = { rules: { "client-boundary": clientBoundary } };
export default plugin;
