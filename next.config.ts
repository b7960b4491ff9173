import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Native and protocol libraries stay outside the server bundle.
  serverExternalPackages: ["better-sqlite3", "@azure/msal-node", "nodemailer", "imapflow", "google-auth-library"],
  experimental: {
    serverActions: { bodySizeLimit: "2mb" },
  },
};

export default nextConfig;
