// A time-series chart (uPlot): rebuilt when the data or the theme changes, resized with its box.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { createEffect, onCleanup, onMount } from 'solid-js';
import { effectiveTheme } from '../theme/theme.ts';

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
    plot?.destroy();
    const axis = { stroke: css('--muted'), grid: { stroke: css('--border'), width: 1 }, ticks: { stroke: css('--border') } };
    const fmt = props.series[0]?.format;
    plot = new uPlot({
      width: box.clientWidth || 600,
      height: props.height ?? 220,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      axes: [axis, { ...axis, size: 64, values: fmt ? (_u, vals) => vals.map((v) => fmt(v)) : undefined }],
      series: [
        {},
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
