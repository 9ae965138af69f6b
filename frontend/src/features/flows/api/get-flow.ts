import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Flow } from './types';

export const getFlow = async (id: number) => (await api.get<Flow>(`/api/flows/${id}`)).data;

export const flowQuery = (id: number) => queryOptions({ queryKey: ['flows', 'detail', id], queryFn: () => getFlow(id) });

export const useFlow = (id: number | undefined) => useQuery({ ...flowQuery(id ?? 0), enabled: id !== undefined });
