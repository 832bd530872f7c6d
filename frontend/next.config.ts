import type { NextConfig } from "next";

// A static export: FastAPI serves `out/` at "/", so the dashboard and the API share one origin and
// one port. Nothing here may need a Node server at run time.
const nextConfig: NextConfig = {
  output: "export",
  reactStrictMode: true,
  images: { unoptimized: true },
  // The export is served from the API's root; keep asset URLs absolute under "/_next".
  trailingSlash: false,
};

export default nextConfig;
