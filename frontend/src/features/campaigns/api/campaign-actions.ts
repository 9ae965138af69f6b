import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Campaign, ScheduleIn } from './types';

export type Action = 'launch' | 'pause' | 'resume' | 'cancel';

export const runAction = async (id: number, action: Action) =>
  (await api.post<Campaign>(`/api/campaigns/${id}/${action}`)).data;

export const scheduleCampaign = async (id: number, body: ScheduleIn) =>
  (await api.post<Campaign>(`/api/campaigns/${id}/schedule`, body)).data;

export const deleteCampaign = async (id: number) => {
  await api.delete(`/api/campaigns/${id}`);
};

function useRefresh(id: number) {
  const client = useQueryClient();
  return (campaign?: Campaign) => {
    if (campaign) client.setQueryData(['campaigns', 'detail', id], campaign);
    client.invalidateQueries({ queryKey: ['campaigns'] });
  };
}

export function useCampaignAction(id: number) {
  const refresh = useRefresh(id);
  return useMutation({ mutationFn: (action: Action) => runAction(id, action), onSuccess: refresh });
}

export function useScheduleCampaign(id: number) {
  const refresh = useRefresh(id);
  return useMutation({ mutationFn: (body: ScheduleIn) => scheduleCampaign(id, body), onSuccess: refresh });
}

export function useDeleteCampaign(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => deleteCampaign(id),
    onSuccess: () => {
      client.removeQueries({ queryKey: ['campaigns', 'detail', id] });
      client.invalidateQueries({ queryKey: ['campaigns', 'list'] });
    },
  });
}
