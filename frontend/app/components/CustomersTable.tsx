"use client";

import { useEffect, useId, useMemo, useState } from "react";
import { segmentColor } from "@/app/lib/colors";
import { formatNumber } from "@/app/lib/format";
import { numericFeatures, shortLabel } from "@/app/lib/schema";
import type { CustomerPage, CustomerQuery, ModelSchema, Segment } from "@/app/lib/types";
import { caughtMessage } from "@/app/lib/errors";

interface CustomersTableProps {
  schema: ModelSchema;
  segments: Segment[];
  loadPage: (query: CustomerQuery) => Promise<CustomerPage>;
  exportUrl: (query: Omit<CustomerQuery, "page" | "pageSize">) => string;
  /** Set from outside (e.g. "customers of this segment" on a card). */
  segmentFilter?: number | null;
}

type State = { state: "loading" } | { state: "error"; message: string } | { state: "ready"; page: CustomerPage };

const PAGE_SIZES = [25, 50, 100];
const DEBOUNCE_MS = 300;

type Bounds = Record<string, { low: string; high: string }>;

function toRanges(bounds: Bounds): CustomerQuery["ranges"] {
  const parse = (text: string) => (text.trim() === "" || !Number.isFinite(Number(text)) ? null : Number(text));
  return Object.fromEntries(Object.entries(bounds).map(([name, b]) => [name, { low: parse(b.low), high: parse(b.high) }]));
}

/** The training customers with the API's filters, sort and paging, and a CSV of exactly what is shown. */
export function CustomersTable({ schema, segments, loadPage, exportUrl, segmentFilter = null }: CustomersTableProps) {
  const ids = useId();
  const features = numericFeatures(schema);
  const ordered = [...segments].sort((a, b) => a.id - b.id);
  const [segment, setSegment] = useState<number | null>(segmentFilter);
  const [search, setSearch] = useState("");
  const [bounds, setBounds] = useState<Bounds>({});
  const [rangeFeature, setRangeFeature] = useState(features[0]?.name ?? "");
  const [rangeLow, setRangeLow] = useState("");
  const [rangeHigh, setRangeHigh] = useState("");
  const [sort, setSort] = useState<string | null>(null);
  const [order, setOrder] = useState<"asc" | "desc">("asc");
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(25);
  const [state, setState] = useState<State>({ state: "loading" });
  // Typing in the search or a bound waits a moment, so each keystroke is not a request.
  const [debounced, setDebounced] = useState({ search, bounds });

  useEffect(() => setSegment(segmentFilter), [segmentFilter]);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced({ search, bounds }), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, bounds]);

  const filters = useMemo(
    () => ({
      segments: segment === null ? [] : [segment],
      search: debounced.search,
      ranges: toRanges(debounced.bounds),
      sort,
      order,
    }),
    [segment, debounced, sort, order],
  );

  useEffect(() => setPage(1), [filters, pageSize]);

  useEffect(() => {
    let cancelled = false;
    setState((current) => (current.state === "ready" ? current : { state: "loading" }));
    loadPage({ ...filters, page, pageSize }).then(
      (result) => !cancelled && setState({ state: "ready", page: result }),
      (caught: unknown) =>
        !cancelled && setState({ state: "error", message: caughtMessage(caught) }),
    );
    return () => {
      cancelled = true;
    };
  }, [filters, page, pageSize, loadPage]);

  const columns = [
    { key: "customer_id", label: schema.idGenerated ? "Row" : "Customer" },
    { key: "segment", label: "Segment" },
    ...features.map((feature) => ({ key: feature.name, label: shortLabel(schema, feature) })),
    ...schema.features
      .filter((f) => f.kind === "categorical")
      .map((feature) => ({ key: feature.name, label: shortLabel(schema, feature) })),
  ];

  function toggleSort(key: string) {
    if (sort === key) setOrder(order === "asc" ? "desc" : "asc");
    else {
      setSort(key);
      setOrder("asc");
    }
  }

  const result = state.state === "ready" ? state.page : null;
  const href = exportUrl(filters);
  const filtered = segment !== null || debounced.search.trim() !== "" || Object.values(filters.ranges).some((r) => r.low !== null || r.high !== null);

  return (
    <section aria-labelledby="customers-title" className="panel" id="customers">
      <h2 id="customers-title">Customers</h2>
      <div className="filters" role="search" aria-label="Filter customers">
        <div className="field">
          <label htmlFor={`${ids}-segment`}>Segment</label>
          <select
            id={`${ids}-segment`}
            value={segment ?? ""}
            onChange={(event) => setSegment(event.target.value === "" ? null : Number(event.target.value))}
            data-testid="filter-segment"
          >
            <option value="">All segments</option>
            {ordered.map((s) => (
              <option key={s.id} value={s.id}>
                #{s.id} {s.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-search`}>{schema.idGenerated ? "Row number contains" : "Customer id contains"}</label>
          <input id={`${ids}-search`} type="search" value={search} maxLength={64} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <fieldset className="ranges">
          <legend>Feature range</legend>
          <div className="inline">
            <select aria-label="Range feature" value={rangeFeature} onChange={(e) => setRangeFeature(e.target.value)}>
              {features.map((feature) => (
                <option key={feature.name} value={feature.name}>
                  {shortLabel(schema, feature)}
                </option>
              ))}
            </select>
            <input
              type="number"
              inputMode="decimal"
              aria-label="Range from"
              placeholder="from"
              value={rangeLow}
              onChange={(e) => setRangeLow(e.target.value)}
            />
            <input
              type="number"
              inputMode="decimal"
              aria-label="Range to"
              placeholder="to"
              value={rangeHigh}
              onChange={(e) => setRangeHigh(e.target.value)}
            />
            <button
              type="button"
              className="secondary"
              disabled={!rangeFeature || (rangeLow.trim() === "" && rangeHigh.trim() === "")}
              onClick={() => {
                setBounds((current) => ({ ...current, [rangeFeature]: { low: rangeLow, high: rangeHigh } }));
                setRangeLow("");
                setRangeHigh("");
              }}
            >
              Add range
            </button>
          </div>
          {Object.keys(bounds).length > 0 && (
            <ul className="chips" aria-label="Active ranges">
              {Object.entries(bounds).map(([name, b]) => {
                const feature = features.find((f) => f.name === name);
                const label = `${feature ? shortLabel(schema, feature) : name} ${b.low || "…"}–${b.high || "…"}`;
                return (
                  <li key={name}>
                    {label}{" "}
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Remove range ${label}`}
                      onClick={() =>
                        setBounds((current) => Object.fromEntries(Object.entries(current).filter(([n]) => n !== name)))
                      }
                    >
                      ×
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </fieldset>
      </div>
      <p className="table-summary" role="status" data-testid="customers-summary">
        {result
          ? `${formatNumber(result.total)} of ${formatNumber(result.population)} customers${filtered ? " match" : ""}`
          : state.state === "loading"
            ? "Loading customers…"
            : ""}
        {" "}
        <a href={href} download className="button-link" data-testid="export-link">
          Download {segment !== null ? `segment #${segment}` : filtered ? "these customers" : "all customers"} (CSV)
        </a>
      </p>
      {state.state === "error" && (
        <p className="error" role="alert" data-testid="customers-table-error">
          The customers could not be listed: {state.message}
        </p>
      )}
      <div className="table-wrap">
        <table data-testid="customers-table" className="customers">
          <thead>
            <tr>
              {columns.map((column) => (
                <th
                  scope="col"
                  key={column.key}
                  aria-sort={sort === column.key ? (order === "asc" ? "ascending" : "descending") : "none"}
                >
                  <button type="button" className="sort-button" onClick={() => toggleSort(column.key)}>
                    {column.label}
                    <span aria-hidden>{sort === column.key ? (order === "asc" ? " ▲" : " ▼") : ""}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result?.rows.map((row) => (
              <tr key={row.id} data-testid="customer-row" data-segment={row.segment}>
                <td>{row.id}</td>
                <td>
                  <span className="swatch" style={{ background: segmentColor(row.segment) }} aria-hidden />#{row.segment}
                </td>
                {columns.slice(2).map((column) => {
                  const value = row.values[column.key];
                  return <td key={column.key}>{typeof value === "number" ? formatNumber(value, Number.isInteger(value) ? 0 : 2) : (value ?? "—")}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Customer pages">
        <button type="button" onClick={() => setPage(page - 1)} disabled={!result || page <= 1}>
          Previous
        </button>
        <span data-testid="customers-page">
          Page {result ? result.page : page} of {result ? Math.max(result.pages, 1) : "…"}
        </span>
        <button type="button" onClick={() => setPage(page + 1)} disabled={!result || page >= result.pages}>
          Next
        </button>
        <label>
          Rows per page{" "}
          <select value={pageSize} onChange={(event) => setPageSize(Number(event.target.value))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </label>
      </nav>
    </section>
  );
}
