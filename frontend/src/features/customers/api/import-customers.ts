import { useMutation, useQueryClient } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

export type ImportResult = Schemas['ImportResult'];

/** Uploads a CSV as multipart `file`; `onProgress` gets the uploaded share (0..1). */
export async function importCustomers(file: File, onProgress?: (share: number) => void) {
  const form = new FormData();
  form.append('file', file);
  const response = await api.post<ImportResult>('/api/customers/import', form, {
    headers: { 'Content-Type': 'multipart/form-data' },
    onUploadProgress: (e) => onProgress?.(e.total ? e.loaded / e.total : 0),
  });
  return response.data;
}

export function useImportCustomers(onProgress?: (share: number) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => importCustomers(file, onProgress),
    onSuccess: () => client.invalidateQueries({ queryKey: ['customers'] }),
  });
}
