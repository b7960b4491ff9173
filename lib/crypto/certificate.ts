import { X509Certificate, createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { AppError } from "../errors";

export type CertificateInfo = {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Upper-case hex, as the Azure portal shows it under Certificates & secrets. */
  sha1Hex: string;
  sha256Hex: string;
  /** base64url, as the `x5t` / `x5t#S256` JWT headers carry it. */
  sha1Base64Url: string;
  sha256Base64Url: string;
  /** Certificate body (DER as base64) for an `x5c` header. */
  derBase64: string;
};

function firstPemCertificate(pem: string): string {
  const m = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/);
  if (!m) throw new AppError("invalid_input", "Certificate must be a PEM block starting with -----BEGIN CERTIFICATE-----", { field: "certificatePem" });
  return m[0];
}

/** Parses a PEM certificate. Throws AppError(invalid_input, field certificatePem) when it cannot. */
export function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(firstPemCertificate(pem));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("invalid_input", "Certificate could not be parsed: the PEM block is damaged or not an X.509 certificate", { field: "certificatePem" });
  }
}

export function describeCertificate(pem: string): CertificateInfo {
  const cert = parseCertificate(pem);
  const der = cert.raw;
  const sha1 = createHash("sha1").update(der).digest();
  const sha256 = createHash("sha256").update(der).digest();
  return {
    subject: cert.subject.replace(/\n/g, ", "),
    issuer: cert.issuer.replace(/\n/g, ", "),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    sha1Hex: sha1.toString("hex").toUpperCase(),
    sha256Hex: sha256.toString("hex").toUpperCase(),
    sha1Base64Url: sha1.toString("base64url"),
    sha256Base64Url: sha256.toString("base64url"),
    derBase64: der.toString("base64"),
  };
}

/** Parses a PEM private key (PKCS#8 or PKCS#1). Throws AppError(invalid_input, field privateKey). */
export function parsePrivateKey(pem: string, field = "privateKey"): KeyObject {
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) {
    throw new AppError("invalid_input", "Private key must be a PEM block starting with -----BEGIN PRIVATE KEY----- (unencrypted)", { field });
  }
  try {
    return createPrivateKey(pem);
  } catch {
    throw new AppError("invalid_input", "Private key could not be parsed: the PEM block is damaged or encrypted with a passphrase", { field });
  }
}

/** Proves the private key belongs to the certificate. */
export function assertKeyMatchesCertificate(certPem: string, keyPem: string): void {
  const cert = parseCertificate(certPem);
  const key = parsePrivateKey(keyPem);
  if (!cert.checkPrivateKey(key)) {
    throw new AppError("invalid_input", "Private key does not belong to the certificate (their public keys differ)", { field: "privateKey" });
  }
}
