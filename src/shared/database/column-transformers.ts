/** bigint columns arrive from pg as strings; counts and seconds here stay far below 2^53. */
export const bigintAsNumber = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
