import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { MessageDetail } from './types';

export const getMessage = async (id: number) => (await api.get<MessageDetail>(`/api/messages/${id}`)).data;

export const messageQuery = (id: number) =>
  queryOptions({ queryKey: ['messages', 'detail', id], queryFn: () => getMessage(id) });

export const useMessage = (id: number | undefined) =>
  useQuery({ ...messageQuery(id ?? 0), enabled: id !== undefined, retry: false });
