"use client";

import { type FormEvent, useEffect, useRef, useState } from "react";
import { formatNumber } from "@/app/lib/format";
import { csvColumns } from "@/app/lib/schema";
import type { ModelSchema, ScoredCsv } from "@/app/lib/types";
import { caughtMessage } from "@/app/lib/errors";

export const PREVIEW_ROWS = 20;

interface CsvUploadProps {
  schema: ModelSchema;
  scoreCsv: (file: File) => Promise<ScoredCsv>;
}

/** The columns the served model needs, by name, and the labels that work as headers too. */
function RequiredColumns({ schema }: { schema: ModelSchema }) {
  const columns = csvColumns(schema);
  const labels = columns.filter((column) => column.label !== column.name).map((column) => column.label);
  return (
    <p className="hint" data-testid="csv-help">
      Columns: <code data-testid="csv-columns">{columns.map((column) => column.name).join(", ")}</code>
      {labels.length > 0 && (
        <>
          {" "}
          (or the headers <code>{labels.join(", ")}</code>)
        </>
      )}
      ; other columns are kept. Each row gets its segment; rows that cannot be scored are listed
      with the reason.
    </p>
  );
}

const APPENDED = ["segment", "segment_name", "error"];

/** Column order for the preview: the API's appended columns first, so they are visible without
 * scrolling sideways on a wide file, then the file's own columns as uploaded. */
export function previewOrder(header: string[]): number[] {
  const appended = APPENDED.map((name) => header.lastIndexOf(name)).filter((index) => index >= 0);
  const rest = header.map((_, index) => index).filter((index) => !appended.includes(index));
  return [...appended, ...rest];
}

function Preview({ result }: { result: ScoredCsv }) {
  const shown = result.rows.slice(0, PREVIEW_ROWS);
  const order = previewOrder(result.header);
  const errorColumn = result.header.lastIndexOf("error");
  return (
    <div className="table-wrap">
      <table data-testid="csv-preview">
        <caption>
          First {formatNumber(shown.length)} of {formatNumber(result.rowCount)} scored rows
        </caption>
        <thead>
          <tr>
            {order.map((index) => (
              <th scope="col" key={index}>
                {result.header[index]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, rowIndex) => (
            <tr key={rowIndex} className={errorColumn >= 0 && row[errorColumn] ? "failed" : undefined}>
              {order.map((index) => (
                <td key={index}>{row[index] ?? ""}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RowErrors({ errors }: { errors: ScoredCsv["errors"] }) {
  if (errors.length === 0) return <p className="ok">Every row was scored.</p>;
  return (
    <div className="row-errors" role="status" data-testid="csv-errors">
      <p className="warning">
        {formatNumber(errors.length)} row{errors.length === 1 ? "" : "s"} could not be scored; the
        other rows were.
      </p>
      <ul>
        {errors.slice(0, 100).map((error) => (
          <li key={`${error.row}-${error.reason}`}>
            Row {error.row}: {error.reason}
          </li>
        ))}
      </ul>
      {errors.length > 100 && <p>…and {formatNumber(errors.length - 100)} more (see the downloaded file).</p>}
    </div>
  );
}

/** "Score a CSV file": upload a customer table, preview the scored rows, download the result. */
export function CsvUpload({ schema, scoreCsv }: CsvUploadProps) {
  const [result, setResult] = useState<ScoredCsv | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [downloadUrl, setDownloadUrl] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  // One object URL per result, released when the result changes or the panel unmounts.
  useEffect(() => {
    if (!result) return;
    const url = URL.createObjectURL(result.blob);
    setDownloadUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [result]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setError("Choose a CSV file first.");
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    setDownloadUrl(null);
    try {
      setResult(await scoreCsv(file));
    } catch (caught) {
      setError(caughtMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="csv-title" className="panel">
      <h2 id="csv-title">Score a CSV file</h2>
      <RequiredColumns schema={schema} />
      <form onSubmit={submit} className="csv-form">
        <div className="field">
          <label htmlFor="csv-file">CSV file</label>
          <input ref={input} id="csv-file" name="file" type="file" accept=".csv,text/csv" />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? "Scoring…" : "Upload and score"}
        </button>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="csv-error">
          {error}
        </p>
      )}
      {result && (
        <div className="csv-result" data-testid="csv-result">
          {downloadUrl && (
            <a className="button" href={downloadUrl} download={result.filename} data-testid="csv-download">
              Download {result.filename}
            </a>
          )}
          <RowErrors errors={result.errors} />
          <Preview result={result} />
        </div>
      )}
    </section>
  );
}
