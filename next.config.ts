import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `npm test` typechecks the whole tree (tsc --noEmit); the build does not repeat it, which
  // keeps the first `npm start` shorter.
  typescript: { ignoreBuildErrors: true },
  // Native and protocol libraries stay outside the server bundle.
  serverExternalPackages: ["better-sqlite3", "@azure/msal-node", "nodemailer", "imapflow", "google-auth-library", "smtp-server"],
  experimental: {
    serverActions: { bodySizeLimit: "8mb" },
    // "Send test" posts attachments (25 MB, base64 in JSON) through proxy.ts, whose body limit
    // defaults to 10 MB. Keep in step with BROWSER_REQUEST_LIMIT_BYTES in lib/mail/test-events.ts.
    proxyClientMaxBodySize: "36mb",
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
