"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** A sidebar link that marks itself current for its own path and everything below it. */
export function NavLink({ href, children, match }: { href: string; children: ReactNode; match?: string }) {
  const pathname = usePathname();
  const prefix = match ?? href;
  const current = pathname === prefix || pathname.startsWith(`${prefix}/`);
  return (
    <Link href={href} aria-current={current ? "page" : undefined}>
      {children}
    </Link>
  );
}
