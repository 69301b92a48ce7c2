// The benchmark's table: one row per comparison, with its target and whether it was met.

/**
 * A row comparing wall times. `kind: 'time'` rows want gcmpush at most `target` times the
 * baseline's time; `kind: 'rate'` rows want at least `target` times its throughput over `count`
 * recipients; `kind: 'info'` rows only report.
 */
export function compare({ name, ours, baseline, baselineName, kind, target, count }) {
  const ratio = kind === 'time' ? ours / baseline : baseline / ours;
  const met = kind === 'info' ? undefined : kind === 'time' ? ratio <= target : ratio >= target;
  const show = (ms) =>
    count === undefined ? formatMs(ms) : `${formatMs(ms)} ${formatRate(count, ms)}`;
  return {
    name,
    ours: show(ours),
    baseline: `${show(baseline)} ${baselineName}`,
    ratio: `${ratio.toFixed(2)}×`,
    target: kind === 'info' ? '-' : `${kind === 'time' ? '≤' : '≥'}${target}×`,
    met,
  };
}

/** A row with one measured value against a bound, such as peak memory. */
export function bound({ name, value, unit, limit }) {
  return {
    name,
    ours: `${value.toFixed(1)} ${unit}`,
    baseline: '-',
    ratio: '-',
    target: `≤${limit} ${unit}`,
    met: value <= limit,
  };
}

function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function formatRate(count, ms) {
  const perSecond = count / (ms / 1000);
  return perSecond >= 1000
    ? `(${(perSecond / 1000).toFixed(1)}k/s)`
    : `(${perSecond.toFixed(0)}/s)`;
}

/** The rows as a Markdown table, so the README can take it as it is. */
export function formatRows(rows) {
  const header = ['case', 'gcmpush (median)', 'baseline (median)', 'ratio', 'target', 'met'];
  const cells = rows.map((row) => [
    row.name,
    row.ours,
    row.baseline,
    row.ratio,
    row.target,
    row.met === undefined ? '-' : row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => [...row[column]].length)),
  );
  const line = (row) =>
    `| ${row.map((cell, column) => cell + ' '.repeat(widths[column] - [...cell].length)).join(' | ')} |`;
  const rule = `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
