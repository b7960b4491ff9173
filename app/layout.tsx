import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "OAuth Mail Console", template: "%s · OAuth Mail Console" },
  description: "OAuth 2.0 mail profiles for Microsoft 365 and Google Workspace, with exports for iMail and IBM i SMTP.",
  robots: { index: false, follow: false },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
