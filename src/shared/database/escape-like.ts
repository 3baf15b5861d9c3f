/**
 * `text` as a literal inside a LIKE/ILIKE pattern: `%`, `_` and the escape character `\`
 * (PostgreSQL's default) lose their meaning, so a search for "10%" finds "10%", not "100".
 * Use as `ILIKE :text` with `%${escapeLike(search)}%`.
 */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
