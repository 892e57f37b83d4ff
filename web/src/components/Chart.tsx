// A time-series chart (uPlot): rebuilt when the data or the theme changes, resized with its box.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { createEffect, onCleanup, onMount } from 'solid-js';
import { locale, t } from '../i18n/index.ts';
import { effectiveTheme } from '../theme/theme.ts';

const DAY_S = 86_400;

/** Axis labels in the console's language: times within two days, dates beyond. */
function timeTicks(splits: number[], span: number): string[] {
  const opts: Intl.DateTimeFormatOptions = span <= 2 * DAY_S ? { hour: '2-digit', minute: '2-digit', hour12: false } : { month: 'short', day: 'numeric' };
  const f = new Intl.DateTimeFormat(locale(), opts);
  return splits.map((s) => f.format(new Date(s * 1000)));
}

export interface Series {
  label: string;
  color: string;
  /** Format a value for the legend and axis. */
  format?: (v: number) => string;
  bars?: boolean;
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function Chart(props: { label: string; x: number[]; ys: number[][]; series: Series[]; height?: number }) {
  let box!: HTMLDivElement;
  let plot: uPlot | undefined;

  const build = () => {
    effectiveTheme();
    const lang = locale();
    plot?.destroy();
    const stamp = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    const axis = { stroke: css('--muted'), grid: { stroke: css('--border'), width: 1 }, ticks: { stroke: css('--border') } };
    const fmt = props.series[0]?.format;
    plot = new uPlot({
      width: box.clientWidth || 600,
      height: props.height ?? 220,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      // A single point (a one-day range) gets a one-day axis, not uPlot's default of years.
      scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - DAY_S / 2, max + DAY_S / 2] : [min, max]) } },
      axes: [
        { ...axis, values: (u, splits) => timeTicks(splits, (u.scales.x!.max ?? 0) - (u.scales.x!.min ?? 0)) },
        { ...axis, size: 64, values: fmt ? (_u, vals) => vals.map((v) => fmt(v)) : undefined },
      ],
      series: [
        { label: t('common.time'), value: (_u: uPlot, v: number | null) => (v === null ? '—' : stamp.format(new Date(v * 1000))) },
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          fill: `${s.color}22`,
          value: s.format ? (_u: uPlot, v: number | null) => (v === null ? '—' : s.format!(v)) : undefined,
          paths: s.bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
          points: { show: false },
        })),
      ],
    }, [props.x, ...props.ys] as uPlot.AlignedData, box);
  };

  onMount(() => {
    const ro = new ResizeObserver(() => plot?.setSize({ width: box.clientWidth, height: props.height ?? 220 }));
    ro.observe(box);
    onCleanup(() => { ro.disconnect(); plot?.destroy(); });
  });
  createEffect(build);

  return <div class="chart" ref={box} role="img" aria-label={props.label} />;
}
