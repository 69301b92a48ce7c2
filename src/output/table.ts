/**
 * Tables for people and for pipes: aligned columns with a header on a terminal, plain
 * tab-separated rows with the same fields every time otherwise.
 */
export function formatTable(
  header: string[],
  rows: string[][],
  options: { tty: boolean; paint?: (row: number, column: number, text: string) => string },
): string {
  if (!options.tty) return rows.map((row) => `${row.join('\t')}\n`).join('');
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => displayWidth(row[column] ?? ''))),
  );
  const pad = (text: string, column: number) =>
    text + ' '.repeat(Math.max(0, (widths[column] ?? 0) - displayWidth(text)));
  const lines = [header.map(pad).join('  ').trimEnd()];
  rows.forEach((row, index) => {
    const cells = row.map((text, column) => {
      const padded = pad(text, column);
      return options.paint ? options.paint(index, column, padded) : padded;
    });
    lines.push(cells.join('  ').trimEnd());
  });
  return `${lines.join('\n')}\n`;
}

/** Width in terminal columns, for the characters this tool prints (no wide scripts). */
function displayWidth(text: string): number {
  return [...text].length;
}
