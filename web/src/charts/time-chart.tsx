import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Segment } from '../live/buckets';

export interface ChartSeries {
  label: string;
  stroke: string;
  scale?: string;
  dash?: number[];
}

export interface ChartBand<S extends string> {
  label: string;
  segments: () => readonly Segment<S>[];
  colors: Record<S, string>;
}

interface Props<S extends string> {
  /** Named for assistive technology, e.g. "Axis positions of cnc-01, last 15 minutes". */
  title: string;
  series: readonly ChartSeries[];
  /** The data as uPlot wants it (x in seconds); read again whenever `version` changes. */
  data: () => uPlot.AlignedData;
  version: number;
  windowMs: number;
  scales?: Record<string, { label: string; side?: 'left' | 'right' }>;
  band?: ChartBand<S>;
  height?: number;
}

const BAND_PX = 14;

/**
 * A uPlot time chart whose x axis always ends now and spans the window, redrawn at most once
 * per animation frame however fast data arrives, with an optional state band (machine state,
 * anomaly level) drawn under the plot, labelled with the state's name where it fits.
 */
export function TimeChart<S extends string>(props: Props<S>) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const element = host.current!;
    const { series, scales = {}, band } = latest.current;
    const axisScales = Object.entries(scales);
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: latest.current.height ?? 240,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          range: () => {
            const now = Date.now();
            return [(now - latest.current.windowMs) / 1000, now / 1000];
          },
        },
      },
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          scale: s.scale ?? 'y',
          dash: s.dash,
          width: 1.5,
          spanGaps: false,
        })),
      ],
      axes: [
        band ? { ticks: { size: 0 }, gap: BAND_PX + 6, size: 40 + BAND_PX } : {},
        ...(axisScales.length
          ? axisScales.map(([scale, s]) => ({
              scale,
              label: s.label,
              side: s.side === 'right' ? 1 : 3,
              grid: { show: s.side !== 'right' },
            }))
          : [{}]),
      ],
      hooks: band ? { draw: [(u: uPlot) => drawBand(u, latest.current.band!)] } : {},
    };
    const plot = new uPlot(options, latest.current.data(), element);
    chart.current = plot;
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(200, element.clientWidth), height: plot.height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [props.series.length, props.band?.label]);

  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      const data = latest.current.data();
      chart.current?.setData(data);
      // How many points the first series shows: tests and curious people read it from the DOM.
      host.current?.setAttribute('data-points', String(countPoints(data[1])));
    });
    return () => cancelAnimationFrame(frame);
  }, [props.version, props.windowMs]);

  const legend = props.band ? Object.entries(props.band.colors) : [];
  return (
    <figure class="chart" data-version={props.version}>
      <div ref={host} role="img" aria-label={props.title} />
      {props.band && (
        <p class="band-legend">
          {props.band.label}:{' '}
          {legend.map(([state, color]) => (
            <span key={state} class="band-key">
              <span class="swatch" style={{ background: color as string }} aria-hidden="true" />
              {state}
            </span>
          ))}
        </p>
      )}
    </figure>
  );
}

function drawBand<S extends string>(u: uPlot, band: ChartBand<S>): void {
  const ctx = u.ctx;
  const ratio = devicePixelRatio || 1;
  const top = u.bbox.top + u.bbox.height + 2 * ratio;
  const height = (BAND_PX - 2) * ratio;
  const left = u.bbox.left;
  const right = u.bbox.left + u.bbox.width;
  const now = Date.now();
  ctx.save();
  ctx.font = `${10 * ratio}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  for (const segment of band.segments()) {
    const x0 = Math.max(left, u.valToPos(segment.start / 1000, 'x', true));
    const x1 = Math.min(right, u.valToPos((segment.end ?? now) / 1000, 'x', true));
    if (x1 <= x0) continue;
    ctx.fillStyle = band.colors[segment.state];
    ctx.fillRect(x0, top, x1 - x0, height);
    const text = segment.state;
    if (ctx.measureText(text).width + 6 * ratio < x1 - x0) {
      ctx.fillStyle = '#fff';
      ctx.fillText(text, x0 + 3 * ratio, top + height / 2);
    }
  }
  ctx.restore();
}

function countPoints(column: ArrayLike<number | null | undefined> | undefined): number {
  let n = 0;
  for (let i = 0; i < (column?.length ?? 0); i++) if (column![i] !== null && column![i] !== undefined) n++;
  return n;
}
