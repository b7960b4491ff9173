import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts, and
  // Next.js (rightly) refuses such server actions, so forms could not post before JavaScript loads.
  // Other sites still get no Referer.
  { key: "Referrer-Policy", value: "same-origin" },
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
    // Server actions carry forms, never uploads: a deeply nested multi-MB action payload stalls
    // the server, so keep them small. Attachments go to /api/profiles/:id/send-test, which
    // proxy.ts does not match (its body streams to the route, no proxy buffer), and whose size
    // the request gate (lib/auth/request-gate.ts) allows only to signed-in admins.
    serverActions: { bodySizeLimit: "2mb" },
    proxyClientMaxBodySize: "2mb",
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
