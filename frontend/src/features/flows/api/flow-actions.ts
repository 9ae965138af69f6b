import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Flow } from './types';

export type FlowAction = 'activate' | 'pause' | 'archive';

export const runFlowAction = async (id: number, action: FlowAction) =>
  (await api.post<Flow>(`/api/flows/${id}/${action}`)).data;

export function useFlowAction(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: FlowAction) => runFlowAction(id, action),
    onSuccess: (flow) => {
      client.setQueryData(['flows', 'detail', id], flow);
      client.invalidateQueries({ queryKey: ['flows'] });
    },
  });
}
