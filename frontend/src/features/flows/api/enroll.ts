import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { EnrollResult } from './types';

export type EnrollInput = { customer_ids: number[] } | { segment_id: number };

export const enroll = async (id: number, body: EnrollInput) =>
  (await api.post<EnrollResult>(`/api/flows/${id}/enroll`, body)).data;

export function useEnroll(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EnrollInput) => enroll(id, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['flows', 'runs', id] }),
  });
}
