import { GUID_PATTERN } from "../constants";

/**
 * Facts about secret values that the doctor may know without seeing a secret. Zod-free and
 * tiny: the profile form computes them in the browser for live validation, the doctor service
 * and the import check on the server, with this one function.
 */

/** Azure's Secret ID is a GUID; a secret Value never is (AADSTS7000215 when confused). */
export function looksLikeSecretId(secret: string | undefined | null): boolean {
  return !!secret && GUID_PATTERN.test(secret.trim());
}
