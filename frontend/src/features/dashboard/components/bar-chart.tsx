/** A dependency-free bar chart: one bar per day, the value on hover. */
export function BarChart({
  points,
  color = 'fill-indigo-500',
  format = (v: number) => String(v),
  label,
}: {
  points: { date: string; value: number }[];
  color?: string;
  format?: (v: number) => string;
  label: string;
}) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const width = 100 / Math.max(points.length, 1);
  const total = points.reduce((sum, p) => sum + p.value, 0);
  return (
    <figure>
      <figcaption className="mb-2 flex items-baseline justify-between text-sm">
        <span className="font-medium text-slate-700">{label}</span>
        <span className="text-slate-500">{format(total)} total</span>
      </figcaption>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" className="h-28 w-full" role="img" aria-label={label}>
        {points.map((p, i) => {
          const h = (p.value / max) * 38;
          return (
            <rect key={p.date} x={i * width + width * 0.1} y={40 - h} width={width * 0.8} height={h} className={color}>
              <title>{`${p.date}: ${format(p.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="mt-1 flex justify-between text-[10px] text-slate-400">
        <span>{points[0]?.date}</span>
        <span>{points[points.length - 1]?.date}</span>
      </div>
    </figure>
  );
}
