import { queryOptions, useQuery } from '@tanstack/react-query';

import { env } from '@/config/env';
import { api } from '@/lib/api-client';

import { LIVE_STATUSES, type Campaign } from './types';

export const getCampaign = async (id: number) => (await api.get<Campaign>(`/api/campaigns/${id}`)).data;

export const campaignQuery = (id: number) =>
  queryOptions({ queryKey: ['campaigns', 'detail', id], queryFn: () => getCampaign(id) });

/** Refetches while the campaign is live, so its status follows the workflow. */
export const useCampaign = (id: number | undefined) =>
  useQuery({
    ...campaignQuery(id ?? 0),
    enabled: id !== undefined,
    refetchInterval: (q) => (q.state.data && LIVE_STATUSES.includes(q.state.data.status) ? env.pollMs * 2 : false),
  });
