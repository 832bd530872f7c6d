import { describe, expect, it } from "vitest";
import { parseCsv } from "@/app/lib/csv";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and newlines", () => {
    const text = 'id,name,note\r\n1,"Young · high, spending","say ""hi"""\r\n2,b,"two\nlines"\r\n';
    const parsed = parseCsv(text);
    expect(parsed.header).toEqual(["id", "name", "note"]);
    expect(parsed.rows).toEqual([
      ["1", "Young · high, spending", 'say "hi"'],
      ["2", "b", "two\nlines"],
    ]);
    expect(parsed.rowCount).toBe(2);
  });

  it("drops a byte-order mark and keeps empty fields", () => {
    const parsed = parseCsv("\ufeffa,b\n,2\n");
    expect(parsed.header).toEqual(["a", "b"]);
    expect(parsed.rows).toEqual([["", "2"]]);
  });

  it("previews at most `limit` rows but counts them all", () => {
    const text = ["x", ...Array.from({ length: 50 }, (_, i) => String(i))].join("\n");
    const parsed = parseCsv(text, 5);
    expect(parsed.rows).toHaveLength(5);
    expect(parsed.rowCount).toBe(50);
  });
});
