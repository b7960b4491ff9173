import type { ReactNode } from "react";
import { NavLink, NavMenu } from "./nav-client";

/**
 * The main navigation, the one place that lists the console's sections: add an entry to ITEMS
 * (href, label, a 24×24 stroke icon path) and it appears in the sidebar (≥ 1024 px) and in the
 * menu that the Menu button opens on narrow screens. Rendered on the server (icons and labels
 * cost no JavaScript); the client parts are the menu's open state and the current-page mark.
 */
export const ITEMS: { href: string; label: string; icon: string }[] = [
  { href: "/", label: "Dashboard", icon: "M3 12l9-8 9 8M5 10v10h5v-6h4v6h5V10" },
  { href: "/profiles", label: "Profiles", icon: "M4 6h16v12H4zM4 7l8 6 8-6" },
  { href: "/tokens", label: "Token cache", icon: "M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0 1 15 7z" },
  { href: "/relay", label: "Relay", icon: "M4 12h10m0 0l-4-4m4 4l-4 4M16 5h4v14h-4" },
  { href: "/monitoring", label: "Monitoring", icon: "M3 12h4l3-8 4 16 3-8h4" },
  { href: "/logs", label: "Logs", icon: "M5 4h14v16H5zM8 8h8M8 12h8M8 16h5" },
  { href: "/import", label: "Import", icon: "M12 3v12m0 0l-4-4m4 4l4-4M4 17v3h16v-3" },
  { href: "/settings", label: "Settings", icon: "M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6" },
  { href: "/settings/admins", label: "Admins", icon: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 12 0v1M17 11l2 2 4-4" },
];

export function NavIcon({ d }: { d: string }) {
  return (
    <svg viewBox="0 0 24 24" className="h-4 w-4 shrink-0" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={d} />
    </svg>
  );
}

/** Brand row (with the Menu button below 1024 px) and the section links. */
export function Nav({ brand }: { brand: ReactNode }) {
  return (
    <NavMenu brand={brand} openIcon={<NavIcon d="M4 7h16M4 12h16M4 17h16" />} closeIcon={<NavIcon d="M6 6l12 12M18 6L6 18" />}>
      <nav aria-label="Main" className="flex flex-col gap-1">
        {ITEMS.map((item) => (
          <NavLink key={item.href} href={item.href} deeper={ITEMS.filter((o) => o.href.startsWith(`${item.href}/`)).map((o) => o.href)}>
            <NavIcon d={item.icon} />
            {item.label}
          </NavLink>
        ))}
      </nav>
    </NavMenu>
  );
}
