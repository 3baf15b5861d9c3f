/**
 * Deterministic ppmv series with a daily shape, for the seeded baselines (and anywhere else a
 * realistic sensor day is needed): 10-minute sampling (144 points a day), a daily cycle with a
 * half-day harmonic, slowly wandering noise (AR(1)), and a log-normal skew, since gas
 * concentrations sit near a background level and rise in bursts, never below zero.
 * The same options always give the same series (a seeded PRNG, no Math.random).
 */
export interface DailyPpmvOptions {
  days: number;
  seed: number;
  /** Default 144 (10-minute sampling). */
  samplesPerDay?: number;
  /** Background level, ppmv (the median of the series). Default 20. */
  level?: number;
  /** Log-amplitude of the daily cycle. Default 0.5. */
  cycle?: number;
  /** Log-amplitude of the half-day harmonic. Default 0.2. */
  harmonic?: number;
  /** Log standard deviation of the noise. Default 0.35. */
  noise?: number;
  /** AR(1) coefficient of the noise between successive samples (0 = white). Default 0.8. */
  persistence?: number;
}

export function dailyPpmvSeries(options: DailyPpmvOptions): Float64Array {
  const { days, seed, samplesPerDay = 144, level = 20, cycle = 0.5, harmonic = 0.2 } = options;
  const { noise = 0.35, persistence = 0.8 } = options;
  const random = seededRandom(seed);
  const phase = 2 * Math.PI * random();
  const harmonicPhase = 2 * Math.PI * random();
  const innovation = noise * Math.sqrt(1 - persistence * persistence);
  const out = new Float64Array(days * samplesPerDay);
  let wander = noise * gaussian(random);
  for (let t = 0; t < out.length; t++) {
    const angle = (2 * Math.PI * t) / samplesPerDay;
    const shape = cycle * Math.sin(angle + phase) + harmonic * Math.sin(2 * angle + harmonicPhase);
    out[t] = level * Math.exp(shape + wander);
    wander = persistence * wander + innovation * gaussian(random);
  }
  return out;
}

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
