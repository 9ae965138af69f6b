import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Segment, SegmentInput } from './types';

export const createSegment = async (body: SegmentInput) =>
  (await api.post<Segment>('/api/segments', body)).data;

export const updateSegment = async (id: number, body: Partial<SegmentInput>) =>
  (await api.patch<Segment>(`/api/segments/${id}`, body)).data;

/** Create when there is no id yet, update otherwise. */
export function useSaveSegment(id?: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SegmentInput) => (id ? updateSegment(id, body) : createSegment(body)),
    onSuccess: (segment) => {
      client.invalidateQueries({ queryKey: ['segments', 'list'] });
      client.setQueryData(['segments', 'detail', segment.id], segment);
    },
  });
}
