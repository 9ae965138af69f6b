import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

export const cancelRun = async (runId: number) => (await api.post(`/api/flow-runs/${runId}/cancel`)).data;

export function useCancelRun(flowId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: cancelRun,
    onSuccess: () => client.invalidateQueries({ queryKey: ['flows', 'runs', flowId] }),
  });
}
