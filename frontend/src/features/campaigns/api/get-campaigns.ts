import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Page } from '@/lib/api';

import type { Campaign } from './types';

export const getCampaigns = async () =>
  (await api.get<Page<Campaign>>('/api/campaigns', { params: { limit: 200 } })).data;

export const campaignsQuery = () => queryOptions({ queryKey: ['campaigns', 'list'], queryFn: getCampaigns });

export const useCampaigns = () => useQuery(campaignsQuery());
