import { describe, expect, it, vi } from "vitest";
import { createApi, exportUrl, toKEvidence } from "@/app/lib/api";
import type { components } from "@/app/lib/api-types";

const base = { segments: [] as number[], search: "", ranges: {}, sort: null, order: "asc" as const };

describe("exportUrl", () => {
  it("uses the segment's own export when one segment is chosen, with the same filters", () => {
    expect(exportUrl({ ...base, segments: [4] }, "")).toBe("/clusters/4/customers.csv");
    expect(
      exportUrl({ ...base, segments: [4], search: " 12 ", ranges: { age: { low: 60, high: null } }, sort: "age", order: "desc" }, ""),
    ).toBe("/clusters/4/customers.csv?search=12&range=age%3A60%3A&sort=age&order=desc");
    expect(exportUrl(base, "http://api")).toBe("http://api/customers.csv");
  });
});

describe("toKEvidence", () => {
  it("reads wins, per-k and per-segment stability and revenue share from the card", () => {
    const card = {
      k: 3,
      k_certainty: {
        resamples: { resamples: 50, scores: [{ k: 3, wins: 40, frequency: 0.8 }, { k: 4, wins: 10, frequency: 0.2 }] },
        choice: { chosen_k: 3, one_se_k: 2, uncertain: false, statement: "k=3 won 40 of 50" },
      },
      stability_by_k: { scores: [{ k: 3, mean_ari: 0.9, min_ari: 0.7, reading: "very stable" }] },
      segment_stability: { segments: [{ segment: 0, mean_jaccard: 0.91, reading: "highly stable" }] },
      segments: [{ id: 0, revenue_share: 0.6 }, { id: 1, revenue_share: null }],
    } as unknown as components["schemas"]["ModelCard"];
    const evidence = toKEvidence(card);
    expect(evidence.perK).toEqual([
      { k: 3, wins: 40, frequency: 0.8, meanAri: 0.9, minAri: 0.7, reading: "very stable" },
      { k: 4, wins: 10, frequency: 0.2, meanAri: null, minAri: null, reading: null },
    ]);
    expect(evidence.statement).toBe("k=3 won 40 of 50");
    expect(evidence.segments).toEqual([{ segment: 0, meanJaccard: 0.91, reading: "highly stable" }]);
    expect(evidence.revenueShare).toEqual({ 0: 0.6 });
  });
});

describe("the workspace calls", () => {
  it("sends the API key as a header, never in the URL", async () => {
    const fetchImpl = vi.fn(async (request: Request) => {
      expect(request.headers.get("X-API-Key")).toBe("k3y");
      expect(request.url).not.toContain("k3y");
      return new Response(JSON.stringify({ id: 4 }), { status: 200, headers: { "content-type": "application/json" } });
    });
    const api = createApi("http://api", fetchImpl as unknown as typeof fetch);
    await api.renameSegment(4, { name: "VIP" }, "k3y");
    expect(fetchImpl).toHaveBeenCalledOnce();
    const request = fetchImpl.mock.calls[0]![0];
    expect(request.method).toBe("PATCH");
    expect(await request.json()).toEqual({ name: "VIP" });
  });

  it("asks for a page with repeated segment and range parameters", async () => {
    const fetchImpl = vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      expect(url.pathname).toBe("/customers");
      expect(url.searchParams.getAll("segment")).toEqual(["4"]);
      expect(url.searchParams.getAll("range")).toEqual(["age:30:40"]);
      expect(url.searchParams.get("page_size")).toBe("25");
      const body = { model_version: "v", population: 9, total: 1, returned: 1, sampled: false, page: 1, page_size: 25, pages: 1, customers: [{ customer_id: "7", segment: 4, segment_name: "S", age: 33 }] };
      return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
    });
    const api = createApi("http://api", fetchImpl as unknown as typeof fetch);
    const page = await api.customerPage({ ...base, segments: [4], ranges: { age: { low: 30, high: 40 } }, page: 1, pageSize: 25 });
    expect(page.rows[0]).toMatchObject({ id: "7", segment: 4, values: { age: 33 } });
    expect(page.total).toBe(1);
  });
});
