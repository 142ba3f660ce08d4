import type { NextConfig } from "next";

// What the browser may load and run. Scripts and styles inline: the framework's hydration data and
// the terminal's (xterm) and VNC viewer's per-element styles. Canvas images as data:/blob:.
// Websockets to our own origin ('self' covers ws:/wss: of the same host). Nothing may frame the
// panel, and forms only post back to it. Development adds eval for hot reload.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === "production" ? "" : " 'unsafe-eval'"}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The build `npm start` makes on a fresh clone or after a change (scripts/start.sh), as quick as it can be. */
const startTimeBuild = process.env.MINICLOUD_START_BUILD === "1";

/** Sent with every response. */
const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

const nextConfig: NextConfig = {
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
  // Packages with native parts, wasm files or their own sockets are loaded from
  // node_modules at run time instead of being bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "@kubernetes/client-node", "ssh2", "ws", "pino", "prom-client"],
  poweredByHeader: false,
  experimental: {
    // The start-time build (see `typescript` below) writes no Turbopack build cache: on a fresh
    // clone that write alone took 20 s here, for a build that `npm start` then reuses as it is.
    turbopackFileSystemCacheForBuild: !startTimeBuild,
    // Above the largest input we accept (a 256 KiB kubeconfig, lib/kube/kubeconfig-size.ts) even
    // when its encoding as an action argument grows it (JSON escapes up to 6 bytes a character),
    // so every oversized input is refused by our own check, with our message.
    serverActions: { bodySizeLimit: "2mb" },
  },
  typedRoutes: false,
  // `npm start` builds without repeating the type check (scripts/start.sh): `tsc --noEmit` is the
  // check, and npm test runs it first. Every other build (Docker, npm test, npm run build) checks.
  typescript: { ignoreBuildErrors: startTimeBuild },
};

export default nextConfig;
