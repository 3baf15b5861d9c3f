import type { TestApp } from './app.js';

/** Sum of a metric's samples whose labels include `labels`, from GET /metrics as Prometheus reads it. */
export async function metricSum(
  t: Pick<TestApp, 'httpUrl'>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(t.httpUrl.replace(/\/graphql$/, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(match[4]);
  }
  return sum;
}
