"use client";
// Client-side state: React Query for server data the browser fetches or receives live.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { LiveEvents } from "@/components/live/live-events";

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: 1 } } }));
  return (
    <QueryClientProvider client={client}>
      <LiveEvents>{children}</LiveEvents>
    </QueryClientProvider>
  );
}
