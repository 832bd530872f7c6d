/**
 * A small RFC 4180 CSV reader for previewing the API's scored file: quoted fields, doubled quotes,
 * commas and newlines inside quotes, CRLF or LF. It reads at most `limit` data rows (a preview),
 * but counts every row.
 */
export function parseCsv(text: string, limit = Number.POSITIVE_INFINITY): { header: string[]; rows: string[][]; rowCount: number } {
  const records: string[][] = [];
  let rowCount = -1; // the header is not a data row
  let field = "";
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const endRecord = () => {
    record.push(field);
    field = "";
    const blank = record.length === 1 && record[0] === "";
    if (!blank) {
      rowCount += 1;
      if (records.length <= limit) records.push(record);
    }
    record = [];
  };

  while (i < source.length) {
    const char = source[i];
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i += 1;
        } else {
          quoted = false;
        }
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && source[i + 1] === "\n") i += 1;
      endRecord();
    } else {
      field += char;
    }
    i += 1;
  }
  if (field !== "" || record.length > 0) endRecord();
  const [header = [], ...rows] = records;
  return { header, rows, rowCount: Math.max(rowCount, 0) };
}
