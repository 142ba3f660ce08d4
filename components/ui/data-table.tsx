// The panel's tables: one markup (`table.table`, a header row, a row per item) for every list,
// so lists look and read alike and a new one (VMs, nested clusters) is a list of columns.
// Works in server and client components alike: it holds no state.
import type { ReactNode } from "react";

/** A header cell: its text, or none with an accessible name (a column of buttons). */
export interface Header {
  /** What the header shows; nothing for a column of buttons. */
  text?: ReactNode;
  /** The header's accessible name when it shows no text. */
  label?: string;
}

/** One column of a DataTable: its header and how a row fills its cell. */
export interface Column<T> extends Header {
  /** The cell's class (`mono`, `nowrap`, `actions`, `detail`, …). */
  className?: string;
  /** The cell's tooltip. */
  title?: (row: T) => string | undefined;
  cell: (row: T, index: number) => ReactNode;
}

/** A table whose body is given as rows (components of their own, e.g. with a form per row). */
export function Table({ label, headers, children }: { label?: string; headers: readonly (Header | string)[]; children: ReactNode }) {
  return (
    <table className="table" aria-label={label}>
      <thead>
        <tr>
          {headers.map((h, i) => {
            const header = typeof h === "string" ? { text: h } : h;
            return (
              <th key={i} aria-label={header.label}>
                {header.text}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/**
 * A table of `rows`, one cell per column. A column given as `false` is left out (columns only
 * some viewers get); `rowAttributes` puts `data-*` attributes on a row (tests find rows by them).
 */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
  rowAttributes,
}: {
  label?: string;
  columns: readonly (Column<T> | false)[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  rowAttributes?: (row: T) => Record<`data-${string}`, string>;
}) {
  const shown = columns.filter((c): c is Column<T> => c !== false);
  return (
    <Table label={label} headers={shown}>
      {rows.map((row, i) => (
        <tr key={rowKey(row, i)} {...rowAttributes?.(row)}>
          {shown.map((c, j) => (
            <td key={j} className={c.className} title={c.title?.(row)}>
              {c.cell(row, i)}
            </td>
          ))}
        </tr>
      ))}
    </Table>
  );
}
