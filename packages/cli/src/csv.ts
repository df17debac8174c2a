// CSV files as table rows. Each column gets one type: numbers when every
// non-empty cell is a number, booleans when every one is true/false, strings
// otherwise; empty cells are nulls. A header row is required.

import { parse } from "csv-parse/sync";
import { UsageError } from "./exit-codes.js";

type Cell = string | number | boolean | null;

export function readCsvRows(text: string, source: string): Record<string, Cell>[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, bom: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    throw new UsageError(`${source} is not valid CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new UsageError(`${source} has no data rows`);
  const columns = Object.keys(records[0]!);
  const convert = new Map(columns.map((c) => [c, converterFor(records.map((r) => r[c] ?? ""))]));
  return records.map((r) => Object.fromEntries(columns.map((c) => [c, convert.get(c)!(r[c] ?? "")])));
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;

function converterFor(cells: string[]): (cell: string) => Cell {
  const filled = cells.filter((c) => c !== "");
  if (filled.length > 0 && filled.every((c) => NUMBER.test(c))) return (c) => (c === "" ? null : Number(c));
  if (filled.length > 0 && filled.every((c) => BOOLEAN.test(c))) return (c) => (c === "" ? null : c.toLowerCase() === "true");
  return (c) => (c === "" ? null : c);
}
