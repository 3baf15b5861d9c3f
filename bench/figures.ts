import os from 'node:os';

/** Small helpers for printing benchmark figures. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** 123456.7 → "123,457" */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** Prints rows as an aligned plain-text table (Markdown-compatible). */
export function printTable(title: string, rows: ReadonlyArray<Record<string, string | number>>): void {
  console.log(`\n${title}`);
  if (!rows.length) return console.log('  (nothing measured)');
  const headers = Object.keys(rows[0]);
  const cells = rows.map((row) => headers.map((h) => String(row[h] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (/^[\d,.\s×%+-]+$/.test(v) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of cells) console.log(line(row));
}

/** The bench's options: `--name value` or BENCH_NAME. */
export function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const raw = index >= 0 ? process.argv[index + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
  return value;
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

/** Other work on the machine skews every figure: printed with them, so that a busy run is recognisable. */
export function machineLine(): string {
  const [one] = os.loadavg();
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), load average ${one.toFixed(2)}, Node ${process.version}`;
}
