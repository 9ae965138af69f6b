import { useState } from 'react';

import { Card, PageHeader, Stat } from '@/components/ui/card';
import { Select } from '@/components/ui/form';
import { QueryState } from '@/components/ui/states';
import { money, number, percent } from '@/lib/format';

import { useOverview } from '../api/get-overview';
import { useTimeseries, type TimeseriesPoint } from '../api/get-timeseries';
import { BarChart } from './bar-chart';

const RANGES = { '7': 'Last 7 days', '30': 'Last 30 days', '90': 'Last 90 days' } as const;

function rangeOf(days: number) {
  const end = new Date();
  const start = new Date(end.getTime() - (days - 1) * 86_400_000);
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}

const series = (points: TimeseriesPoint[], key: keyof TimeseriesPoint) =>
  points.map((p) => ({ date: p.date, value: Number(p[key]) }));

export function Dashboard() {
  const [days, setDays] = useState<keyof typeof RANGES>('30');
  const overview = useOverview();
  const timeseries = useTimeseries(rangeOf(Number(days)));
  return (
    <>
      <PageHeader title="Dashboard" />
      <QueryState query={overview}>
        {(o) => (
          <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Stat label="Customers" value={number(o.customers)} />
            <Stat label="Revenue" value={money(o.revenue)} sub={`${number(o.orders)} orders`} />
            <Stat
              label="Messages sent"
              value={number(o.messages_sent)}
              sub={o.messages_failed ? `${number(o.messages_failed)} failed` : undefined}
            />
            <Stat label="Opened" value={number(o.messages_opened)} sub={`${percent(o.open_rate)} open rate`} />
            <Stat label="Clicked" value={number(o.messages_clicked)} sub={`${percent(o.click_rate)} click rate`} />
            <Stat label="Active campaigns" value={number(o.active_campaigns)} />
            <Stat label="Active flows" value={number(o.active_flows)} sub={`${number(o.active_flow_runs)} runs in progress`} />
            <Stat label="Orders" value={number(o.orders)} />
          </div>
        )}
      </QueryState>
      <Card
        className="mt-4"
        title="Over time"
        actions={
          <Select aria-label="Range" value={days} onChange={(e) => setDays(e.target.value as keyof typeof RANGES)}>
            {Object.entries(RANGES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
        }
      >
        <QueryState query={timeseries}>
          {(t) => (
            <div className="grid gap-6 md:grid-cols-2">
              <BarChart label="Revenue" points={series(t.data, 'revenue')} format={money} color="fill-emerald-500" />
              <BarChart label="Orders" points={series(t.data, 'orders')} />
              <BarChart label="New customers" points={series(t.data, 'new_customers')} color="fill-sky-500" />
              <BarChart label="Messages sent" points={series(t.data, 'messages_sent')} color="fill-violet-500" />
              <BarChart label="Opened" points={series(t.data, 'messages_opened')} color="fill-amber-500" />
              <BarChart label="Clicked" points={series(t.data, 'messages_clicked')} color="fill-rose-500" />
            </div>
          )}
        </QueryState>
      </Card>
    </>
  );
}
