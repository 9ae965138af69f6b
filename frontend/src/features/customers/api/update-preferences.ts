import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

export type PreferencesUpdate = Schemas['PreferencesUpdate'];
export type Preferences = Schemas['PreferencesPublic'];

export const updatePreferences = async (id: number, body: PreferencesUpdate) =>
  (await api.patch<Preferences>(`/api/customers/${id}/preferences`, body)).data;

export function useUpdatePreferences(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PreferencesUpdate) => updatePreferences(id, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['customers', 'detail', id] }),
  });
}
