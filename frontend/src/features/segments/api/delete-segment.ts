import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

export const deleteSegment = async (id: number) => {
  await api.delete(`/api/segments/${id}`);
};

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteSegment,
    onSuccess: () => client.invalidateQueries({ queryKey: ['segments', 'list'] }),
  });
}
