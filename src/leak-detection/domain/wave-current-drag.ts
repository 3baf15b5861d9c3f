import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * The seabed drag coefficient Cd felt by a current, with and without waves: the friction velocity
 * √Cd·U sets how fast a leak's plume spreads (see plume-model.ts).
 *
 * Without waves Cd is the log-law value at the reference height above a bed of Nikuradse roughness
 * kn: CD_current = (κ / ln(z_ref / z₀))² with z₀ = kn / 30.
 *
 * With waves, the wave boundary layer makes the bed look rougher to the current. The reference
 * calls the model "Soulsby-type"; its formulas are those of Grant & Madsen as given by Madsen
 * (1994): a fixed number of rounds (6) of
 *   μ = τ_c / τ_wm (0 in the first round), Cμ = √(1 + 2μ|cos φ| + μ²),
 *   f_wc = Cμ·min(0.3, exp(5.61·(Cμ·U_w / (kn·ω))^−0.109 − 7.3)), τ_wm = ½·f_wc·U_w²,
 * where τ_c = CD_current·U² is the current's bed stress, U_w the near-bed wave orbital velocity,
 * ω the wave's angular frequency and φ the angle between waves and current; then the boundary
 * layer thickness δ = A·κ/ω·√(Cμ·τ_wm) with A = exp(2.96·(Cμ·U_w / (kn·ω))^−0.071 − 1.45), the
 * apparent roughness z₀ₐ = δ·(30δ/kn)^−√(μ/Cμ) and Cd_wave = (κ / ln(z_ref / z₀ₐ))².
 * Cd = max(CD_current, Cd_wave). Stresses are kinematic (divided by the water density, which
 * cancels everywhere). The cap on f_wc and the cut-off for negligible waves are ours (see below);
 * the original had neither and returned nonsense for short waves over deep water.
 */
export interface WaveCurrentDragParameters {
  /** von Kármán's constant κ. */
  vonKarman: number;
  /** Nikuradse roughness of the seabed kn, m. */
  bedRoughness: number;
  /** Height above the bed at which Cd relates bed stress to the current speed, m. */
  referenceHeight: number;
  /** Rounds of the μ ↔ τ_wm iteration. */
  rounds: number;
  /** m/s². */
  gravity: number;
}

export const DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS: Readonly<WaveCurrentDragParameters> = Object.freeze({
  vonKarman: 0.41,
  bedRoughness: 0.025,
  referenceHeight: 3,
  rounds: 6,
  gravity: 9.81,
});

/**
 * The rough-turbulent upper bound of a wave friction factor (Swart 1974, Jonsson 1966). The
 * exponential fit above grows without bound once the orbital excursion falls under about half the
 * bed roughness, so that ever smaller waves would make the bed ever rougher (waves alone with an
 * excursion of a millionth of kn came out at three times the current-only drag).
 */
const MAX_WAVE_FRICTION = 0.3;

/**
 * Below this orbital excursion (U_w/ω) relative to the bed roughness the waves are not felt: the
 * drag is within a few millionths of the current-only one down to here, and below it the fitted
 * exponents of the model run far outside their range (a wave-only sea would come out rougher
 * than a real one).
 */
const NEGLIGIBLE_EXCURSION = 1e-6;

/** A sea state: significant wave height (m), peak period (s), direction (radians from north). */
export interface SeaWave {
  height: number;
  period: number;
  direction: number;
}

/** A current at the bed, in the frame the currents files use: speed (m/s), direction (radians from north). */
export interface BedCurrent {
  speed: number;
  direction: number;
}

/** (κ / ln(z_ref / (kn/30)))²: 0.00250695… with the defaults. */
export function currentDragCoefficient(parameters: WaveCurrentDragParameters = DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS) {
  const { vonKarman, bedRoughness, referenceHeight } = parameters;
  return (vonKarman / Math.log(referenceHeight / (bedRoughness / 30))) ** 2;
}

/**
 * Wave number k (rad/m) of a wave of angular frequency ω in water of the given depth, solving the
 * linear dispersion relation ω² = g·k·tanh(k·h) by Newton's method from Eckart's approximation.
 * The original took three fixed-point steps from the deep-water value, which is several percent
 * off in shallow water.
 */
export function waveNumber(omega: number, depth: number, gravity: number): number {
  const deep = (omega * omega) / gravity;
  let k = deep / Math.sqrt(Math.tanh(deep * depth));
  for (let step = 0; step < 50; step++) {
    const tanh = Math.tanh(k * depth);
    const residual = gravity * k * tanh - omega * omega;
    const slope = gravity * (tanh + k * depth * (1 - tanh * tanh));
    const next = k - residual / slope;
    if (Math.abs(next - k) <= 1e-15 * next) return next;
    k = next;
  }
  return k;
}

/**
 * Near-bed orbital velocity (m/s) under waves of significant height Hs: the amplitude of a
 * monochromatic wave of the rms height Hs/√2, ω·(Hs/√2)/2 / sinh(k·h). 0 where the waves do not
 * reach the bed (sinh overflows).
 */
export function waveOrbitalVelocity(wave: SeaWave, depth: number, gravity: number): number {
  const omega = (2 * Math.PI) / wave.period;
  const k = waveNumber(omega, depth, gravity);
  const velocity = (omega * wave.height) / (2 * Math.SQRT2 * Math.sinh(k * depth));
  return Number.isFinite(velocity) ? velocity : 0;
}

/** Cd under the given current and waves at the given water depth (m); see the interface's comment. */
export function waveCurrentDragCoefficient(
  current: BedCurrent,
  wave: SeaWave,
  depth: number,
  parameters: WaveCurrentDragParameters = DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS,
): number {
  checkWave(wave);
  const currentOnly = currentDragCoefficient(parameters);
  const orbital = waveOrbitalVelocity(wave, depth, parameters.gravity);
  const { vonKarman, bedRoughness, referenceHeight, rounds } = parameters;
  const omega = (2 * Math.PI) / wave.period;
  const excursionRatio = orbital / (bedRoughness * omega);
  if (!(excursionRatio >= NEGLIGIBLE_EXCURSION)) return currentOnly;
  const currentStress = currentOnly * current.speed * current.speed;
  const alignment = Math.abs(Math.cos(current.direction - wave.direction));

  let mu = 0;
  let cMu = 1;
  let waveStress = 0;
  for (let round = 0; round < rounds; round++) {
    if (round > 0) {
      mu = currentStress / waveStress;
      cMu = Math.sqrt(1 + 2 * mu * alignment + mu * mu);
    }
    const friction = cMu * Math.min(MAX_WAVE_FRICTION, Math.exp(5.61 * (cMu * excursionRatio) ** -0.109 - 7.3));
    waveStress = 0.5 * friction * orbital * orbital;
  }
  const a = Math.exp(2.96 * (cMu * excursionRatio) ** -0.071 - 1.45);
  const thickness = ((a * vonKarman) / omega) * Math.sqrt(cMu * waveStress);
  const apparentRoughness = thickness * ((30 * thickness) / bedRoughness) ** -Math.sqrt(mu / cMu);
  if (!(apparentRoughness < referenceHeight)) {
    throw new InvalidInputError(
      `Waves of ${wave.height} m and ${wave.period} s at ${depth} m make the bed rougher than the reference height`,
      { waves: 'outside the range of the wave–current drag model' },
    );
  }
  return Math.max(currentOnly, (vonKarman / Math.log(referenceHeight / apparentRoughness)) ** 2);
}

function checkWave(wave: SeaWave): void {
  if (!(Number.isFinite(wave.height) && wave.height >= 0)) {
    throw new InvalidInputError('A wave height must be a finite number ≥ 0', { waves: 'height must be ≥ 0' });
  }
  if (!(Number.isFinite(wave.period) && wave.period > 0)) {
    throw new InvalidInputError('A wave period must be a finite number > 0', { waves: 'period must be > 0' });
  }
  if (!Number.isFinite(wave.direction)) {
    throw new InvalidInputError('A wave direction must be a finite number', { waves: 'direction must be finite' });
  }
}

/** Throws InvalidInputError naming the first drag parameter out of range. */
export function checkDragParameters(parameters: WaveCurrentDragParameters): void {
  for (const name of ['vonKarman', 'bedRoughness', 'referenceHeight', 'gravity'] as const) {
    if (!(Number.isFinite(parameters[name]) && parameters[name] > 0)) {
      throw new InvalidInputError(`The drag parameter ${name} must be a finite number > 0`, { [name]: 'must be > 0' });
    }
  }
  if (!(Number.isInteger(parameters.rounds) && parameters.rounds >= 1)) {
    throw new InvalidInputError('The drag parameter rounds must be an integer ≥ 1', {
      rounds: 'must be an integer ≥ 1',
    });
  }
  if (!(parameters.referenceHeight > parameters.bedRoughness / 30)) {
    throw new InvalidInputError('The reference height must lie above the bed roughness length kn/30', {
      referenceHeight: 'must be > bedRoughness / 30',
    });
  }
}
