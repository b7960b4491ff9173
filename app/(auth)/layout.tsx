import type { ReactNode } from "react";
import { Logo } from "@/components/layout/logo";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex items-center justify-center gap-2">
          <Logo />
          <span className="text-lg font-semibold tracking-tight">OAuth Mail Console</span>
        </div>
        {children}
      </div>
    </main>
  );
}
