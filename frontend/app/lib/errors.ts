/**
 * Turn whatever an API error looks like into one readable sentence for the user.
 *
 * FastAPI answers validation errors as `{"detail": [{"loc": [...], "msg": "..."}]}` and other
 * errors as `{"detail": "..."}`; a network failure has no body at all. The user should read
 * "age: Input should be greater than or equal to 18", not "[object Object]" or "HTTP 422".
 */

export class ApiError extends Error {
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** The text of anything a promise rejected with: an Error's message, else the value as text. */
export function caughtMessage(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}

type Issue = { loc?: unknown; msg?: unknown; message?: unknown };

// Path segments that add nothing for the reader ("body" → the JSON body, numbers → list positions).
const NOISE = new Set(["body", "query", "path", "header"]);

function describeIssue(issue: Issue): string {
  const text = String(issue.msg ?? issue.message ?? "invalid value");
  const loc = Array.isArray(issue.loc)
    ? issue.loc.filter((part) => typeof part === "number" || !NOISE.has(String(part)))
    : [];
  return loc.length > 0 ? `${loc.join(".")}: ${text}` : text;
}

/** One readable line from an error body (any shape) and the HTTP status. */
export function errorMessage(body: unknown, status: number): string {
  if (typeof body === "string" && body.trim() !== "") return body.trim();
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const detail = record.detail ?? record.message ?? record.error;
    if (typeof detail === "string" && detail.trim() !== "") return detail.trim();
    if (Array.isArray(detail) && detail.length > 0) {
      return detail.map((issue) => describeIssue(issue as Issue)).join("; ");
    }
    if (detail && typeof detail === "object") return errorMessage(detail, status);
  }
  return status > 0 ? `The API answered HTTP ${status}.` : "The API could not be reached.";
}

/** The message for a request that never got an answer (API down, wrong URL, CORS). */
export function networkErrorMessage(baseUrl: string, cause: unknown): string {
  const where = baseUrl || "this server";
  const reason = cause instanceof Error && cause.message ? ` (${cause.message})` : "";
  return `Cannot reach the API at ${where}${reason}. Is it running?`;
}
