import type { Metadata } from "next";
import type { ReactNode } from "react";
import { cookies } from "next/headers";
import { THEME_COOKIE, parseTheme } from "@/components/layout/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "OAuth Mail Console", template: "%s · OAuth Mail Console" },
  description: "OAuth 2.0 mail profiles for Microsoft 365 and Google Workspace, with exports for iMail and IBM i SMTP.",
  robots: { index: false, follow: false },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The theme choice is a cookie, so the server renders it and nothing flashes on load.
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme}>
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
