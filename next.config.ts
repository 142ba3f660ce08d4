import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Packages with native parts, wasm files or their own sockets are loaded from
  // node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@kubernetes/client-node", "ssh2", "ws"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
