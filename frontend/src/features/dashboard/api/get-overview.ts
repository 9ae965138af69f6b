import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

export type Overview = Schemas['Overview'];

export const getOverview = async (): Promise<Overview> =>
  (await api.get<Overview>('/api/metrics/overview')).data;

export const overviewQuery = () =>
  queryOptions({ queryKey: ['metrics', 'overview'], queryFn: getOverview });

export const useOverview = () => useQuery(overviewQuery());
