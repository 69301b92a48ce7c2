/**
 * Tables for people and for pipes: aligned columns with a header on a terminal, plain
 * tab-separated rows with the same fields every time otherwise.
 */
export interface TableOptions {
  tty: boolean;
  /** Colours one cell, after padding, so colour codes never count toward the width. */
  paint?: (row: number, column: number, text: string) => string;
  /** Column widths to keep (for the later parts of a streamed table); else measured here. */
  widths?: number[];
  /** Leave the header out (a streamed table prints it once). */
  noHeader?: boolean;
}

export function formatTable(header: string[], rows: string[][], options: TableOptions): string {
  if (!options.tty) return rows.map((row) => `${row.join('\t')}\n`).join('');
  const widths = options.widths ?? measureColumns(header, rows);
  const pad = (text: string, column: number) =>
    text + ' '.repeat(Math.max(0, (widths[column] ?? 0) - displayWidth(text)));
  const lines = options.noHeader ? [] : [header.map(pad).join('  ').trimEnd()];
  rows.forEach((row, index) => {
    const cells = row.map((text, column) => {
      const padded = pad(text, column);
      return options.paint ? options.paint(index, column, padded) : padded;
    });
    lines.push(cells.join('  ').trimEnd());
  });
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The width of each column: its widest cell, header included. */
export function measureColumns(header: string[], rows: string[][]): number[] {
  return header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => displayWidth(row[column] ?? ''))),
  );
}

/** Width in terminal columns, for the characters this tool prints (no wide scripts). */
function displayWidth(text: string): number {
  return [...text].length;
}
