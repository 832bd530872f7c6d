"use client";

import { Dashboard } from "@/app/components/Dashboard";
import { api } from "@/app/lib/api";

/** The dashboard wired to the real API (kept apart so tests can render Dashboard with fakes). */
export function ClientDashboard() {
  return <Dashboard api={api} />;
}
