// Test certificate authority for the HTTPS/TLS fakes on 127.0.0.1 (fake Entra/Google IdPs,
// fake Graph, SMTP STARTTLS, Dovecot). Generated once per checkout under .tmp/test-ca with the
// openssl CLI. `bundle.pem` = the system CA bundle + the test CA: point NODE_EXTRA_CA_CERTS at
// it so the console trusts the fakes exactly as it would trust a real corporate CA.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const TEST_CA_DIR = path.resolve(process.env.TEST_CA_DIR ?? ".tmp/test-ca");

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Ensures the CA and a server certificate for localhost/127.0.0.1 exist.
 * Returns { dir, caCert, serverCert, serverKey, bundle, untrustedCert, untrustedKey } (paths).
 * `untrusted*` is a self-signed server certificate that no bundle trusts (for failure tests).
 */
export function ensureTestCa(dir = TEST_CA_DIR) {
  const files = {
    dir,
    caCert: path.join(dir, "ca.pem"),
    caKey: path.join(dir, "ca.key"),
    serverCert: path.join(dir, "server.pem"),
    serverKey: path.join(dir, "server.key"),
    bundle: path.join(dir, "bundle.pem"),
    untrustedCert: path.join(dir, "untrusted.pem"),
    untrustedKey: path.join(dir, "untrusted.key"),
  };
  if (Object.values(files).slice(1).every((f) => fs.existsSync(f))) return files;
  fs.mkdirSync(dir, { recursive: true });
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=OAuth Mail Console Test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  fs.writeFileSync(path.join(dir, "server.ext"), "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n");
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "3650", "-extfile", "server.ext"], dir);
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "untrusted.key", "-out", "untrusted.pem", "-days", "3650", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], dir);
  const system = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"].find((f) => fs.existsSync(f));
  fs.writeFileSync(files.bundle, (system ? fs.readFileSync(system, "utf8") + "\n" : "") + fs.readFileSync(files.caCert, "utf8"));
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(ensureTestCa(), null, 2));
}
