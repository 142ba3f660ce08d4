import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Packages with native parts, wasm files or their own sockets are loaded from
  // node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@kubernetes/client-node", "ssh2", "ws"],
  poweredByHeader: false,
  experimental: {
    // Above the largest input we accept (a 256 KiB kubeconfig, lib/kube/kubeconfig-size.ts) even
    // when its encoding as an action argument grows it (JSON escapes up to 6 bytes a character),
    // so every oversized input is refused by our own check, with our message.
    serverActions: { bodySizeLimit: "2mb" },
  },
  typedRoutes: false,
};

export default nextConfig;
