/**
 * The API key for the actions that change things (rename a segment, train, publish). Asked once
 * per browser session and kept in sessionStorage: it dies with the tab, is never written to
 * localStorage (which outlives the session) and never put in a URL (which lands in logs and history).
 */
import { useCallback, useSyncExternalStore } from "react";

const STORAGE_KEY = "segmentation-api-key";
const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null; // storage disabled: the key then lives only in memory for this page
  }
}

let memory: string | null = null;

export function readApiKey(): string | null {
  return storage()?.getItem(STORAGE_KEY) ?? memory;
}

export function saveApiKey(key: string | null): void {
  const store = storage();
  const value = key?.trim() || null;
  memory = value;
  if (store) {
    if (value) store.setItem(STORAGE_KEY, value);
    else store.removeItem(STORAGE_KEY);
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The session's key (null until asked) and how to set or forget it; every user re-renders together. */
export function useApiKey(): [string | null, (key: string | null) => void] {
  const key = useSyncExternalStore(subscribe, readApiKey, () => null);
  const set = useCallback((value: string | null) => saveApiKey(value), []);
  return [key, set];
}
