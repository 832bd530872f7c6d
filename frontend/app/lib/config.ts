/**
 * Where the API lives. Empty in the static export: FastAPI serves the dashboard, so the API is on
 * the same origin and relative URLs work behind any host name or proxy. `npm run dev` sets
 * NEXT_PUBLIC_API_URL (see .env.development) because the dev server runs on another port.
 */
export const API_BASE = (process.env.NEXT_PUBLIC_API_URL ?? "").replace(/\/+$/, "");
