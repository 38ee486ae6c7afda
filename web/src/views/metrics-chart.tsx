import { useEffect, useRef } from 'preact/hooks';
// Before uPlot, which reads navigator.language as it loads: this module makes sure Intl accepts it.
import '../locale';
import uPlot from 'uplot';

export type Points = { starts: number[]; values: (number | null)[] };

/**
 * One key over time: a bar per bucket at the bucket's start (seconds since the epoch), a gap where the bucket
 * has nothing to measure. Drawn for the eye only: the table under the charts holds the same figures.
 */
export const Chart = ({ points, unit, colour }: { points: Points; unit: string; colour: string }) => {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const step = (points.starts[1] ?? 0) - (points.starts[0] ?? 0) || 1;
    const first = points.starts[0] ?? 0;
    const last = (points.starts.at(-1) ?? 0) + step;
    // Canvas text cannot follow CSS, so the axes take the page's text colour when drawn, and again when the
    // colour scheme changes.
    const draw = () => {
      const ink = getComputedStyle(element).color;
      const axis = { stroke: ink, grid: { stroke: 'rgb(128 128 128 / 25%)' }, ticks: { stroke: 'rgb(128 128 128 / 25%)' } };
      return new uPlot(
        {
          width: Math.max(280, element.clientWidth - 16),
          height: 180,
          // Buckets are cut in UTC, as the table lists them.
          tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
          // From the data: uPlot would stretch one bucket across years, and a figure below zero means nothing.
          scales: {
            x: { time: true, range: () => [first, last] },
            y: { range: (_, __, max) => [0, Math.max(1, max)] },
          },
          axes: [axis, { ...axis, label: unit, size: 56 }],
          legend: { show: false },
          series: [{}, { stroke: colour, fill: colour, paths: uPlot.paths.bars?.({ size: [0.7, 40], align: 1 }), points: { show: false } }],
        },
        [points.starts, points.values],
        element,
      );
    };
    let chart = draw();
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    const redraw = () => {
      chart.destroy();
      chart = draw();
    };
    scheme.addEventListener('change', redraw);
    return () => {
      scheme.removeEventListener('change', redraw);
      chart.destroy();
    };
  }, [points, unit, colour]);
  return <div ref={container} class="chart" aria-hidden="true" />;
};
