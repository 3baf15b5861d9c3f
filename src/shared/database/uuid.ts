const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that cannot exist are answered as "not found" before PostgreSQL rejects their syntax. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
