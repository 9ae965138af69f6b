import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

// Applying a campaign proposal saves its audience first (the campaign needs a segment id).
export type SegmentDraft = { name: string; criteria: Record<string, unknown>; description?: string };

export const createSegment = async (draft: SegmentDraft) =>
  (await api.post<{ id: number; name: string }>('/api/segments', draft)).data;

export function useCreateSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createSegment,
    onSuccess: () => client.invalidateQueries({ queryKey: ['segments', 'list'] }),
  });
}
