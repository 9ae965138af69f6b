import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Segments } from './types';

export const getSegments = async () =>
  (await api.get<Segments>('/api/segments', { params: { limit: 200 } })).data;

export const segmentsQuery = () => queryOptions({ queryKey: ['segments', 'list'], queryFn: getSegments });

export const useSegments = () => useQuery(segmentsQuery());
