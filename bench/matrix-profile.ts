/**
 * Matrix profiles (src/leak-detection/domain): our TypeScript against a naive baseline measured
 * in the same run and, when it is installed, against stumpy 1.13 on one thread, on one shared
 * series (a random walk with a daily shape, like a drifting gas sensor; m = 144):
 *
 *   batch, z-normalised (stumpy `stump`) and raw (stumpy `aamp`), n = 10,000 and 50,000;
 *   incremental update (stumpy `stumpi`/`aampi`, egress on) at histories of 4,320 and 50,000;
 *   live rate: 1,000 sensors, history 4,320, one raw update (and its score) per sensor.
 *
 * The naive baseline computes every pair's distance from scratch (O(m) per pair): timed on a few
 * rows and scaled to the whole profile, those rows also check ours to 1e-9. Against stumpy the
 * bench prints the largest difference of the profiles and the ratios the targets ask for
 * (batch ≤ 1× stumpy, incremental at 4,320 ≤ 0.2× stumpi/aampi), all in CPU time; and on a
 * 3,000-point series with NaN, ±∞, constant stretches and integer readings, where the two
 * differ, which one the textbook distance agrees with.
 *
 * stumpy: Debian's python3-numba/numpy/scipy and stumpy's source on PYTHONPATH (or
 * --stumpy-path DIR / BENCH_STUMPY_PATH); the interpreter is BENCH_PYTHON, python3 or
 * /usr/bin/python3, whichever imports it. Its first call compiles for about a minute (warmed
 * up before timing). Without it the bench prints our figures and "stumpy: not available".
 * Not a test: `npm run bench:matrix-profile`.
 *
 *   --sizes 10000,50000  --histories 4320,50000  --sensors 1000  --no-stumpy
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { IncrementalMatrixProfile } from '../src/leak-detection/domain/incremental-matrix-profile.js';
import {
  defaultExclusionZone,
  matrixProfile,
  type MatrixProfile,
} from '../src/leak-detection/domain/matrix-profile.js';
import { count, flag, machineLine, median, ms, option, printTable } from './figures.js';

const M = 144;
const SIZES = listOption('sizes', [10_000, 50_000]);
const HISTORIES = listOption('histories', [4_320, 50_000]);
const SENSORS = option('sensors', 1_000);
const VARIANTS = [
  { name: 'z-normalised', normalized: true, stumpy: 'stump', stumpyIncremental: 'stumpi' },
  { name: 'raw', normalized: false, stumpy: 'aamp', stumpyIncremental: 'aampi' },
] as const;

function listOption(name: string, fallback: number[]): number[] {
  const index = process.argv.indexOf(`--${name}`);
  const raw = index >= 0 ? process.argv[index + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  if (raw === undefined) return fallback;
  const values = raw.split(',').map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 2 * M)) throw new Error(`--${name} takes sizes > ${2 * M}`);
  return values;
}

/** A random walk (σ 0.4 per step) around a daily shape of 144 points, seeded (mulberry32). */
function sensorLikeSeries(length: number): Float64Array {
  let state = 20_261_103;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = new Float64Array(length);
  let drift = 0;
  for (let k = 0; k < length; k++) {
    drift += 0.4 * Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
    out[k] = 30 + drift + 8 * Math.sin((2 * Math.PI * k) / 144) + 3 * Math.sin((2 * Math.PI * k) / 37);
  }
  return out;
}

/**
 * CPU seconds this process spent since `start` (user + system). The machines this runs on are
 * shared: CPU time is far less disturbed by other work than wall time, and stumpy's figures are
 * taken the same way (time.process_time), so the ratios compare like with like.
 */
function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * What the profiles treat specially, for the comparison with stumpy: NaN and ±∞ readings, constant
 * stretches (two at the same level, so constant windows tie), and integer readings (exact ties).
 */
function edgeSeries(): Float64Array {
  const out = sensorLikeSeries(3_000);
  out.fill(12.5, 400, 650);
  out.fill(12.5, 1_500, 1_700);
  out.fill(-3, 2_200, 2_380);
  for (let k = 2_500; k < out.length; k++) out[k] = Math.round(out[k]);
  out[1_000] = NaN;
  out[2_000] = Infinity;
  out[2_001] = -Infinity;
  return out;
}

// ------------------------------------------------------------------------------------------ naive

interface NaiveCheck {
  secondsPerPair: number;
  maxDifference: number;
}

/**
 * Every pair of a few rows computed from scratch (z-normalised with each window's own mean and σ;
 * constant and non-finite windows do not occur in the bench series), timed and compared with ours.
 */
function naiveRows(series: Float64Array, profile: MatrixProfile, rows: number): NaiveCheck {
  const m = profile.windowSize;
  const count = series.length - m + 1;
  const mean = new Float64Array(count);
  const inverseStd = new Float64Array(count).fill(1);
  if (profile.normalized) {
    for (let w = 0; w < count; w++) {
      let sum = 0;
      for (let t = 0; t < m; t++) sum += series[w + t];
      mean[w] = sum / m;
      let squares = 0;
      for (let t = 0; t < m; t++) squares += (series[w + t] - mean[w]) ** 2;
      inverseStd[w] = 1 / Math.sqrt(squares / m);
    }
  }
  let pairs = 0;
  let maxDifference = 0;
  const start = process.cpuUsage();
  for (let r = 0; r < rows; r++) {
    const i = Math.floor(((r + 0.5) * count) / rows);
    let best = Infinity;
    for (let j = 0; j < count; j++) {
      if (Math.abs(i - j) <= profile.exclusionZone) continue;
      let sum = 0;
      for (let t = 0; t < m; t++) {
        const d = (series[i + t] - mean[i]) * inverseStd[i] - (series[j + t] - mean[j]) * inverseStd[j];
        sum += d * d;
      }
      pairs++;
      if (sum < best) best = sum;
    }
    const ours = profile.distances[i];
    maxDifference = Math.max(maxDifference, Math.abs(Math.sqrt(best) - ours) / Math.max(1, ours));
  }
  return { secondsPerPair: cpuSince(start) / pairs, maxDifference };
}

/** Window `start` into `out`, z-normalised (mean and σ from scratch) or as it is. */
function shapeOf(series: Float64Array, start: number, normalized: boolean, out: Float64Array): Float64Array {
  out.set(series.subarray(start, start + M));
  if (!normalized) return out;
  const mean = out.reduce((sum, x) => sum + x, 0) / M;
  const std = Math.sqrt(out.reduce((sum, x) => sum + (x - mean) ** 2, 0) / M);
  for (let t = 0; t < M; t++) out[t] = (out[t] - mean) / std;
  return out;
}

/** The naive incremental update: the new window's distance to every retained window, from scratch. */
function naiveUpdateSeconds(series: Float64Array, history: number, normalized: boolean, updates: number): number {
  const start = process.cpuUsage();
  const [newest, other] = [new Float64Array(M), new Float64Array(M)];
  let sink = 0;
  for (let u = 0; u < updates; u++) {
    const w = history - M + u;
    shapeOf(series, w, normalized, newest);
    for (let v = u; v < w - defaultExclusionZone(M); v++) {
      shapeOf(series, v, normalized, other);
      let sum = 0;
      for (let t = 0; t < M; t++) sum += (newest[t] - other[t]) ** 2;
      sink += sum;
    }
  }
  if (sink === -1) console.log(sink);
  return cpuSince(start) / updates;
}

// ------------------------------------------------------------------------------------------ ours

interface BatchFigure {
  variant: (typeof VARIANTS)[number];
  n: number;
  seconds: number;
  profile: MatrixProfile;
  naive: NaiveCheck;
}

function runBatch(series: Float64Array): BatchFigure[] {
  const figures: BatchFigure[] = [];
  for (const variant of VARIANTS) {
    // V8 compiles the walks over the first few calls; the figures are of the compiled code.
    for (let k = 0; k < 4; k++) matrixProfile(series.subarray(0, 4_000), M, { normalized: variant.normalized });
    for (const n of SIZES) {
      const slice = series.subarray(0, n);
      const runs = n <= 20_000 ? 3 : 1;
      const times: number[] = [];
      let profile: MatrixProfile | undefined;
      for (let r = 0; r < runs; r++) {
        const start = process.cpuUsage();
        profile = matrixProfile(slice, M, { normalized: variant.normalized });
        times.push(cpuSince(start));
      }
      const naive = naiveRows(slice, profile!, n <= 20_000 ? 40 : 12);
      figures.push({ variant, n, seconds: median(times), profile: profile!, naive });
      process.stdout.write('.');
    }
  }
  return figures;
}

interface IncrementalFigure {
  variant: (typeof VARIANTS)[number];
  history: number;
  buildSeconds: number;
  microsPerUpdate: number;
  naiveMicrosPerUpdate: number;
  newestDistance: number;
  maxDifferenceToBatch: number;
  stateBytes: number;
}

/**
 * Readings fed after the history is built: the first WARM_UPDATES untimed (the first readings that
 * push old ones out reach code the build never ran, which V8 then compiles), then the timed ones.
 * stumpy gets the same readings, so that the newest windows match.
 */
const WARM_UPDATES = 300;

function updatesFor(history: number): number {
  return history <= 10_000 ? 500 : 200;
}

function runIncremental(series: Float64Array): IncrementalFigure[] {
  const figures: IncrementalFigure[] = [];
  for (const variant of VARIANTS) {
    for (const history of HISTORIES) {
      const options = { windowSize: M, maxLength: history, normalized: variant.normalized };
      let start = process.cpuUsage();
      const sut = IncrementalMatrixProfile.fromSeries(series.subarray(0, history), options);
      const buildSeconds = cpuSince(start);
      for (let k = 0; k < WARM_UPDATES; k++) sut.update(series[history + k]);
      const updates = WARM_UPDATES + updatesFor(history);
      const times: number[] = [];
      for (let u = WARM_UPDATES; u < updates; u += 50) {
        start = process.cpuUsage();
        for (let k = u; k < u + 50 && k < updates; k++) sut.update(series[history + k]);
        times.push(cpuSince(start) / Math.min(50, updates - u));
      }
      const batch = matrixProfile(sut.series(), M, { normalized: variant.normalized });
      const ours = sut.profile();
      const maxDifferenceToBatch = maxAbsDifference(ours.distances, batch.distances);
      const naive = naiveUpdateSeconds(series, history, variant.normalized, history <= 10_000 ? 20 : 3);
      figures.push({
        variant,
        history,
        buildSeconds,
        microsPerUpdate: median(times) * 1e6,
        naiveMicrosPerUpdate: naive * 1e6,
        newestDistance: sut.newestNeighbour().distance,
        maxDifferenceToBatch,
        stateBytes: sut.toBytes().byteLength,
      });
      process.stdout.write('.');
    }
  }
  return figures;
}

interface LiveFigure {
  sensors: number;
  roundMillis: number[];
  bytesPerSensor: number;
}

/** Many sensors, each its own raw profile (history 4,320), one reading each per round, scored at once. */
function runLive(series: Float64Array): LiveFigure {
  const history = 4_320;
  const seed = IncrementalMatrixProfile.fromSeries(series.subarray(0, history), { windowSize: M, maxLength: history });
  collectGarbage();
  const before = process.memoryUsage().arrayBuffers;
  const sensors = Array.from({ length: SENSORS }, () => seed.clone());
  collectGarbage();
  const bytesPerSensor = (process.memoryUsage().arrayBuffers - before) / SENSORS;
  const roundMillis: number[] = [];
  let sink = 0;
  for (let round = 0; round < 8; round++) {
    const start = process.cpuUsage();
    for (let s = 0; s < sensors.length; s++) {
      sensors[s].update(series[history + round * 13 + (s % 97)]);
      sink += sensors[s].newestNeighbour().distance;
    }
    roundMillis.push(cpuSince(start) * 1e3);
  }
  if (sink === -1) console.log(sink);
  return { sensors: SENSORS, roundMillis: roundMillis.slice(2), bytesPerSensor };
}

/** A full collection, so that the buffers counted are the live ones (the npm script passes no --expose-gc). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

// ------------------------------------------------------------------------------------------ stumpy

const STUMPY_SCRIPT = String.raw`
import json, sys, time
import numpy as np
import stumpy
series_path, edge_path, out_dir, m = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sizes = [int(x) for x in sys.argv[5].split(',')]
histories = [int(x) for x in sys.argv[6].split(',')]
updates = [int(x) for x in sys.argv[7].split(',')]
warm = int(sys.argv[8])
T = np.fromfile(series_path, dtype=np.float64)
def save(mp, name, label):
    np.asarray(mp[:, 0], dtype=np.float64).tofile(f'{out_dir}/{name}-{label}.f64')
    np.asarray(mp[:, 1:4], dtype=np.int64).tofile(f'{out_dir}/{name}-{label}.i64')
start = time.process_time()
stumpy.stump(T[:1000], m); stumpy.aamp(T[:1000], m)
for cls in (stumpy.stumpi, stumpy.aampi):
    s = cls(T[:1000], m, egress=True); s.update(T[1000])
out = {'compile_seconds': time.process_time() - start, 'batch': [], 'incremental': []}
profiles = {}
for n in sizes:
    for name, f in (('stump', stumpy.stump), ('aamp', stumpy.aamp)):
        start = time.process_time()
        mp = f(T[:n], m)
        out['batch'].append({'name': name, 'n': n, 'seconds': time.process_time() - start})
        profiles[(name, n)] = mp
        save(mp, name, n)
E = np.fromfile(edge_path, dtype=np.float64)
save(stumpy.stump(E, m), 'stump', 'edge')
save(stumpy.aamp(E, m), 'aamp', 'edge')
for h, u in zip(histories, updates):
    for name, cls, batch in (('stumpi', stumpy.stumpi, 'stump'), ('aampi', stumpy.aampi, 'aamp')):
        mp = profiles.get((batch, h))
        s = cls(T[:h], m, egress=True) if mp is None else cls(T[:h], m, egress=True, mp=mp)
        times = []
        for k in range(warm + u):
            start = time.process_time()
            s.update(T[h + k])
            times.append(time.process_time() - start)
        times = times[warm:]
        out['incremental'].append({'name': name, 'history': h, 'micros': float(np.median(times)) * 1e6, 'newest': float(s.P_[-1])})
print(json.dumps(out))
`;

/** stumpy's profile: distances, and per window its index, left index and right index. */
interface StumpyProfile {
  distances: Float64Array;
  indices: Int32Array;
}

interface StumpyFigures {
  compile_seconds: number;
  batch: Array<{ name: string; n: number; seconds: number }>;
  incremental: Array<{ name: string; history: number; micros: number; newest: number }>;
  /** By "stump-10000", "aamp-edge", … */
  profiles: Map<string, StumpyProfile>;
}

function stumpyEnvironment(): NodeJS.ProcessEnv {
  const extra = (() => {
    const index = process.argv.indexOf('--stumpy-path');
    return index >= 0 ? process.argv[index + 1] : process.env.BENCH_STUMPY_PATH;
  })();
  const pythonPath = [extra, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  return { ...process.env, PYTHONPATH: pythonPath, NUMBA_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
}

/** The first interpreter that imports stumpy and numba, or undefined. */
function findPython(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[];
  return candidates.find((python) => {
    const probe = spawnSync(python, ['-c', 'import numba, numpy, stumpy'], { env, stdio: 'ignore', timeout: 60_000 });
    return probe.status === 0;
  });
}

function readStumpyProfile(dir: string, key: string): StumpyProfile {
  const p = fs.readFileSync(path.join(dir, `${key}.f64`));
  const i = fs.readFileSync(path.join(dir, `${key}.i64`));
  const wide = new BigInt64Array(i.buffer, i.byteOffset, i.byteLength / 8);
  return {
    distances: new Float64Array(p.buffer, p.byteOffset, p.byteLength / 8),
    indices: Int32Array.from(wide, (x) => Number(x)),
  };
}

function runStumpy(series: Float64Array, edge: Float64Array): StumpyFigures | string {
  if (flag('no-stumpy')) return 'skipped (--no-stumpy)';
  const env = stumpyEnvironment();
  const python = findPython(env);
  if (!python)
    return 'not available (no python3 that imports numba and stumpy; see the header of bench/matrix-profile.ts)';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-profile-bench-'));
  try {
    const files = { series: path.join(dir, 'series.f64'), edge: path.join(dir, 'edge.f64') };
    fs.writeFileSync(files.series, Buffer.from(series.buffer, series.byteOffset, series.byteLength));
    fs.writeFileSync(files.edge, Buffer.from(edge.buffer, edge.byteOffset, edge.byteLength));
    fs.writeFileSync(path.join(dir, 'run.py'), STUMPY_SCRIPT);
    const args = [SIZES, HISTORIES, HISTORIES.map(updatesFor)].map((list) => list.join(','));
    const script = [path.join(dir, 'run.py'), files.series, files.edge, dir, String(M), ...args, String(WARM_UPDATES)];
    const output = execFileSync(python, script, {
      env,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const figures = JSON.parse(output) as Omit<StumpyFigures, 'profiles'>;
    const keys = [...figures.batch.map(({ name, n }) => `${name}-${n}`), 'stump-edge', 'aamp-edge'];
    const profiles = new Map(keys.map((key) => [key, readStumpyProfile(dir, key)]));
    return { ...figures, profiles };
  } catch (error) {
    return `failed: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------ report

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let k = 0; k < a.length; k++) {
    const d = a[k] === b[k] ? 0 : Math.abs(a[k] - b[k]);
    if (!(d <= max)) max = d;
  }
  return max;
}

/** The textbook distance of windows i and j, from scratch (stumpy's rules for constant and non-finite windows). */
function naivePair(series: Float64Array, normalized: boolean, i: number, j: number): number {
  const x = Array.from(series.subarray(i, i + M));
  const y = Array.from(series.subarray(j, j + M));
  if (!x.every(Number.isFinite) || !y.every(Number.isFinite)) return Infinity;
  const constantX = x.every((v) => v === x[0]);
  const constantY = y.every((v) => v === y[0]);
  if (normalized && (constantX || constantY)) return constantX && constantY ? 0 : Math.sqrt(M);
  const shape = (v: number[]) => {
    if (!normalized) return v;
    const mean = v.reduce((sum, e) => sum + e, 0) / M;
    const std = Math.sqrt(v.reduce((sum, e) => sum + (e - mean) ** 2, 0) / M);
    return v.map((e) => (e - mean) / std);
  };
  const [a, b] = [shape(x), shape(y)];
  return Math.sqrt(a.reduce((sum, e, t) => sum + (e - b[t]) ** 2, 0));
}

/**
 * Ours against stumpy on the edge series. Where the two differ by more than 1e-9, the textbook
 * distance to the nearest neighbour (every pair from scratch) says which is right; where the
 * indices differ, whether the two neighbours are equally near (a tie, both right).
 */
function edgeReport(edge: Float64Array, stumpy: StumpyFigures): void {
  printTable(
    'Edge cases against stumpy (3,000 points with NaN, ±∞, constant stretches and integer readings)',
    VARIANTS.map((variant) => {
      const ours = matrixProfile(edge, M, { normalized: variant.normalized });
      const theirs = stumpy.profiles.get(`${variant.stumpy}-edge`)!;
      const count = ours.distances.length;
      let oursOff = 0;
      let theirsOff = 0;
      let differing = 0;
      let notTies = 0;
      for (let w = 0; w < count; w++) {
        const [mine, their] = [ours.distances[w], theirs.distances[w]];
        if (mine !== their && Math.abs(mine - their) > 1e-9) {
          differing++;
          let nearest = Infinity;
          for (let j = 0; j < count; j++) {
            if (Math.abs(j - w) > ours.exclusionZone)
              nearest = Math.min(nearest, naivePair(edge, variant.normalized, w, j));
          }
          oursOff = Math.max(oursOff, Math.abs(mine - nearest));
          theirsOff = Math.max(theirsOff, Math.abs(their - nearest));
        }
        const [i, k] = [ours.indices[w], theirs.indices[3 * w]];
        const tie =
          i === k ||
          Math.abs(naivePair(edge, variant.normalized, w, i) - naivePair(edge, variant.normalized, w, k)) <= 1e-9;
        if (!tie) notTies++;
      }
      const sameIndex = ours.indices.filter((index, w) => index === theirs.indices[3 * w]).length;
      return {
        variant: `${variant.name} (${variant.stumpy})`,
        'max |ours − stumpy|': maxAbsDifference(ours.distances, theirs.distances).toExponential(1),
        'windows > 1e-9 apart': count === 0 ? '0' : String(differing),
        'there: |ours − textbook|': differing ? oursOff.toExponential(1) : '—',
        '|stumpy − textbook|': differing ? theirsOff.toExponential(1) : '—',
        '+∞ alike': ours.distances.every((d, w) => (d === Infinity) === (theirs.distances[w] === Infinity))
          ? 'yes'
          : 'NO',
        'same index': `${((100 * sameIndex) / count).toFixed(1)} %`,
        'other index, not a tie': String(notTies),
      };
    }),
  );
}

function ratio(ours: number, theirs: number | undefined): string {
  return theirs === undefined ? '—' : `${(ours / theirs).toFixed(3)}×`;
}

function report(
  batch: BatchFigure[],
  incremental: IncrementalFigure[],
  live: LiveFigure,
  stumpy: StumpyFigures | string,
) {
  const st = typeof stumpy === 'string' ? undefined : stumpy;
  printTable(
    'Batch matrix profile, m = 144, one thread (CPU seconds)',
    batch.map(({ variant, n, seconds: ours, profile, naive }) => {
      const theirs = st?.batch.find((b) => b.name === variant.stumpy && b.n === n);
      const theirProfile = st?.profiles.get(`${variant.stumpy}-${n}`)?.distances;
      const pairs = ((n - M + 1) * (n - M)) / 2;
      return {
        variant: `${variant.name} (${variant.stumpy})`,
        n: count(n),
        ours: ours.toFixed(3),
        'naive O(n²m), scaled': (naive.secondsPerPair * pairs).toFixed(1),
        'ours vs naive rows': naive.maxDifference.toExponential(1),
        stumpy: theirs ? theirs.seconds.toFixed(3) : '—',
        'ours / stumpy': ratio(ours, theirs?.seconds),
        'max |ours − stumpy|': theirProfile ? maxAbsDifference(profile.distances, theirProfile).toExponential(1) : '—',
      };
    }),
  );
  printTable(
    'Incremental update, m = 144 (CPU µs per reading, median; build = the history fed one reading at a time)',
    incremental.map((f) => {
      const theirs = st?.incremental.find((i) => i.name === f.variant.stumpyIncremental && i.history === f.history);
      return {
        variant: `${f.variant.name} (${f.variant.stumpyIncremental})`,
        history: count(f.history),
        ours: f.microsPerUpdate.toFixed(1),
        'naive O(n·m)': f.naiveMicrosPerUpdate.toFixed(0),
        stumpy: theirs ? theirs.micros.toFixed(1) : '—',
        'ours / stumpy': ratio(f.microsPerUpdate, theirs?.micros),
        'build s': f.buildSeconds.toFixed(2),
        'max |ours − batch|': f.maxDifferenceToBatch.toExponential(1),
        'state KB': (f.stateBytes / 1024).toFixed(0),
      };
    }),
  );
  const worst = Math.max(...live.roundMillis);
  console.log(
    `\nLive rate: ${count(live.sensors)} sensors (raw, history 4,320, m 144), one reading each: ` +
      `${ms(median(live.roundMillis))} CPU ms per round (worst ${ms(worst)} ms), ` +
      `${count((live.sensors / median(live.roundMillis)) * 1e3)} updates/s; ` +
      `${(live.bytesPerSensor / 1024).toFixed(0)} KB of buffers per sensor`,
  );
  console.log(
    `  verdict: ${worst < 250 ? 'fits well under a second (< 25 % of a core)' : 'does NOT fit well under a second'}`,
  );
  verdicts(batch, incremental, stumpy);
}

function verdicts(batch: BatchFigure[], incremental: IncrementalFigure[], stumpy: StumpyFigures | string) {
  if (typeof stumpy === 'string') return console.log(`\nstumpy: ${stumpy}`);
  edgeReport(edgeSeries(), stumpy);
  console.log(`\nstumpy 1.13 (one thread; its compilation took ${stumpy.compile_seconds.toFixed(0)} s before timing):`);
  for (const f of batch) {
    const theirs = stumpy.batch.find((b) => b.name === f.variant.stumpy && b.n === f.n);
    const profile = stumpy.profiles.get(`${f.variant.stumpy}-${f.n}`)?.distances;
    if (!theirs || !profile) continue;
    const same = maxAbsDifference(f.profile.distances, profile) <= 1e-6;
    console.log(
      `  batch ${f.variant.stumpy} n=${count(f.n)}: ${ratio(f.seconds, theirs.seconds)} its time — ` +
        `${f.seconds <= theirs.seconds ? 'met (≤ 1×)' : 'NOT met (> 1×)'}; profiles ${same ? 'equal to 1e-6' : 'DIFFER by more than 1e-6'}`,
    );
  }
  for (const f of incremental) {
    const theirs = stumpy.incremental.find((i) => i.name === f.variant.stumpyIncremental && i.history === f.history);
    if (!theirs) continue;
    const target =
      f.history === 4_320 ? (f.microsPerUpdate <= 0.2 * theirs.micros ? ' — met (≤ 0.2×)' : ' — NOT met (> 0.2×)') : '';
    console.log(
      `  update ${theirs.name} history ${count(f.history)}: ${ratio(f.microsPerUpdate, theirs.micros)} its time${target}; ` +
        `newest window's distance ours ${f.newestDistance.toFixed(9)}, stumpy ${theirs.newest.toFixed(9)}`,
    );
  }
}

async function main() {
  console.log(`Matrix profile bench — ${machineLine()}`);
  const series = sensorLikeSeries(Math.max(...SIZES, ...HISTORIES.map((h) => h + WARM_UPDATES + updatesFor(h))) + 1);
  process.stdout.write('ours');
  const batch = runBatch(series);
  const incremental = runIncremental(series);
  const live = runLive(series);
  process.stdout.write(' stumpy');
  const stumpy = runStumpy(series, edgeSeries());
  console.log();
  report(batch, incremental, live, stumpy);
  console.log(`\n${machineLine()}`);
}

await main();
