import { ClientDashboard } from "@/app/components/ClientDashboard";
import { API_BASE } from "@/app/lib/config";

export default function Home() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <h1>Customer segments</h1>
        <p>K-Means segments of your customers, why this number of segments, and scoring of new customers.</p>
      </header>
      <main id="main">
        <ClientDashboard />
      </main>
      <footer className="site-footer">
        <a href={`${API_BASE}/docs`}>API reference</a> · <a href={`${API_BASE}/reports/summary`}>Text report</a>
      </footer>
    </>
  );
}
