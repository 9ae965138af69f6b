import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

export type Timeseries = Schemas['Timeseries'];
export type TimeseriesPoint = Schemas['TimeseriesPoint'];
export type Range = { start?: string; end?: string };

export const getTimeseries = async (range: Range = {}): Promise<Timeseries> =>
  (await api.get<Timeseries>('/api/metrics/timeseries', { params: range })).data;

export const timeseriesQuery = (range: Range = {}) =>
  queryOptions({ queryKey: ['metrics', 'timeseries', range], queryFn: () => getTimeseries(range) });

export const useTimeseries = (range: Range = {}) => useQuery(timeseriesQuery(range));
