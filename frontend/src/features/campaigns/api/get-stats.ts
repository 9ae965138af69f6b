import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Stats } from './types';

export const getStats = async (id: number) => (await api.get<Stats>(`/api/campaigns/${id}/stats`)).data;

export const statsQuery = (id: number) =>
  queryOptions({ queryKey: ['campaigns', 'stats', id], queryFn: () => getStats(id) });

/** Refetches while the campaign is live, and once more when its status changes (keyed by it). */
export const useStats = (id: number, status: string, live: boolean) =>
  useQuery({
    queryKey: [...statsQuery(id).queryKey, status],
    queryFn: () => getStats(id),
    refetchInterval: live ? 3000 : false,
  });
