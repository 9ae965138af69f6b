import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Stats } from './types';

export const getStats = async (id: number) => (await api.get<Stats>(`/api/campaigns/${id}/stats`)).data;

export const statsQuery = (id: number) =>
  queryOptions({ queryKey: ['campaigns', 'stats', id], queryFn: () => getStats(id) });

export const useStats = (id: number, live: boolean) =>
  useQuery({ ...statsQuery(id), refetchInterval: live ? 3000 : false });
