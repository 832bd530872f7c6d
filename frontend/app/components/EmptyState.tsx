/** What the user sees before any model exists: what happened and the exact commands to fix it. */
export function EmptyState({ message }: { message: string }) {
  return (
    <section className="panel empty" aria-labelledby="empty-title" data-testid="empty-state">
      <h2 id="empty-title">No model trained yet</h2>
      <p>{message}</p>
      <p>Train one from the repository root, then reload this page:</p>
      <pre>
        <code>make train{"\n"}# or: python backend/src/main.py --data path/to/customers.csv</code>
      </pre>
      <p className="hint">
        A running API picks up a new model after a restart (or <code>POST /model/reload</code> when an
        API key is configured).
      </p>
    </section>
  );
}
