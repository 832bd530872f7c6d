"use client";

import { useId, useState } from "react";
import { useApiKey } from "@/app/lib/apiKey";

/**
 * Asks for the API key once per browser session (then shows that it is set, with a way to forget
 * it). Rendered inside every form whose action needs the key.
 */
export function ApiKeyField({ purpose }: { purpose: string }) {
  const [key, setKey] = useApiKey();
  const [draft, setDraft] = useState("");
  const id = useId();
  if (key) {
    return (
      <p className="hint api-key-set" data-testid="api-key-set">
        API key set for this browser session.{" "}
        <button type="button" className="link-button" onClick={() => setKey(null)}>
          Forget it
        </button>
      </p>
    );
  }
  return (
    <div className="field api-key" data-testid="api-key-field">
      <label htmlFor={id}>API key ({purpose})</label>
      <div className="inline">
        <input
          id={id}
          type="password"
          autoComplete="off"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              if (draft.trim()) setKey(draft);
            }
          }}
        />
        <button type="button" onClick={() => draft.trim() && setKey(draft)} disabled={!draft.trim()}>
          Use key
        </button>
      </div>
      <p className="hint">Kept in this tab only (sessionStorage) until you close it; never stored on disk or in a URL.</p>
    </div>
  );
}
