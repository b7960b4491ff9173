import { describeCertificate } from "../crypto/certificate";

/** The thumbprints of a certificate in every form an admin meets them. */
export type ThumbprintDisplay = {
  /** Upper-case hex, as the Azure portal lists it under Certificates & secrets. */
  sha1Hex: string;
  sha256Hex: string;
  /** base64url, as the x5t / x5t#S256 JWT headers carry it. */
  sha1Base64Url: string;
  sha256Base64Url: string;
  /** Which header the profile sends, and its value. */
  header: "x5t#S256" | "x5t";
  headerValue: string;
  notAfter: string;
  subject: string;
};

/** Thumbprints to match in the Azure portal. Throws AppError(invalid_input) for a bad PEM. */
export function describeThumbprints(certificatePem: string, header: "x5t#S256" | "x5t" = "x5t#S256"): ThumbprintDisplay {
  const info = describeCertificate(certificatePem);
  return {
    sha1Hex: info.sha1Hex,
    sha256Hex: info.sha256Hex,
    sha1Base64Url: info.sha1Base64Url,
    sha256Base64Url: info.sha256Base64Url,
    header,
    headerValue: header === "x5t" ? info.sha1Base64Url : info.sha256Base64Url,
    notAfter: info.notAfter,
    subject: info.subject,
  };
}

/** Hex thumbprint with colons every byte (some tools show it that way). */
export function formatThumbprintHex(hex: string): string {
  return hex.toUpperCase().match(/.{1,2}/g)?.join(":") ?? hex;
}
