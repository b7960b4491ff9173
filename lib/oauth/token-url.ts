/** Substitutes `{TENANT_ID}` in a Microsoft token URL (iMail's placeholder; `$TENANT_ID` is refused by the schema). */
export function resolveTokenUrl(template: string, tenant: string): string {
  return template.replaceAll("{TENANT_ID}", encodeURIComponent(tenant));
}
