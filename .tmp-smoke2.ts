import fs from "node:fs";
import { parseImport } from "@/lib/export/import";
for (const [t, o] of [[fs.readFileSync("lib/export/__fixtures__/reference-ibmi-gmail.json","utf8"), { format: undefined, overrides: { impersonateUser: "a@yourdomain.com" } }], ['{\n "type": "microsoft_app",\n "tenant_id": \n}', {}], ["-Dimail.oauth.mode=APP;imail.oauth.clientId=x;", { format: "system-properties" }]] as const) {
  try { parseImport(t as string, o as any); } catch (e: any) { console.log(e.userMessage); }
}
