import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

/**
 * A small uPlot line chart over the traffic window. Screen readers get `summary` (the latest
 * values) as the figure's caption; the canvas is decorative for them.
 */
export function Chart(props: {
  title: string;
  unit: string;
  times: readonly number[];
  series: readonly ChartSeries[];
  summary: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = props.series.map((s) => s.label).join('|');

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const style = getComputedStyle(document.documentElement);
    const axisColor = style.getPropertyValue('--muted').trim() || '#666';
    const gridColor = style.getPropertyValue('--grid').trim() || '#ddd';
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 240),
      height: 180,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, label: props.unit, size: 56 }],
      series: [
        {},
        ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false })),
      ],
    };
    plot.current = new uPlot(options, toData(props.times, props.series), element);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(element.clientWidth, 240), height: 180 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(toData(props.times, props.series));
  }, [props.times, props.series]);

  return (
    <figure class="chart">
      <figcaption>
        <span class="chart-title">{props.title}</span>
        <span class="visually-hidden">{props.summary}</span>
      </figcaption>
      <div ref={box} aria-hidden="true" />
    </figure>
  );
}

function toData(times: readonly number[], series: readonly ChartSeries[]): uPlot.AlignedData {
  return [times as number[], ...series.map((s) => s.values as (number | null)[])];
}
