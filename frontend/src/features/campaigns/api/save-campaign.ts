import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Campaign, CampaignCreate, CampaignUpdate } from './types';

export const createCampaign = async (body: CampaignCreate) =>
  (await api.post<Campaign>('/api/campaigns', body)).data;

export const updateCampaign = async (id: number, body: CampaignUpdate) =>
  (await api.patch<Campaign>(`/api/campaigns/${id}`, body)).data;

export function useSaveCampaign(id?: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignCreate) => (id ? updateCampaign(id, body) : createCampaign(body)),
    onSuccess: (campaign) => {
      client.invalidateQueries({ queryKey: ['campaigns', 'list'] });
      client.setQueryData(['campaigns', 'detail', campaign.id], campaign);
    },
  });
}
