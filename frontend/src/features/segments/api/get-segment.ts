import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Segment } from './types';

export const getSegment = async (id: number) => (await api.get<Segment>(`/api/segments/${id}`)).data;

export const segmentQuery = (id: number) =>
  queryOptions({ queryKey: ['segments', 'detail', id], queryFn: () => getSegment(id) });

export const useSegment = (id: number | undefined) =>
  useQuery({ ...segmentQuery(id ?? 0), enabled: id !== undefined });
