import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Flow, FlowInput } from './types';

export const createFlow = async (body: FlowInput) => (await api.post<Flow>('/api/flows', body)).data;

export const updateFlow = async (id: number, body: Partial<FlowInput>) =>
  (await api.patch<Flow>(`/api/flows/${id}`, body)).data;

export function useSaveFlow(id?: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: FlowInput) => (id ? updateFlow(id, body) : createFlow(body)),
    onSuccess: (flow) => {
      client.invalidateQueries({ queryKey: ['flows', 'list'] });
      client.setQueryData(['flows', 'detail', flow.id], flow);
    },
  });
}
