import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Group } from '../lib/criteria';
import type { Preview } from './types';

export const previewSegment = async (criteria: Group, signal?: AbortSignal) =>
  (await api.post<Preview>('/api/segments/preview', { criteria }, { signal })).data;

// Keyed by the criteria themselves: editing back to an earlier tree is answered from cache.
export const previewQuery = (criteria: Group) =>
  queryOptions({
    queryKey: ['segments', 'preview', criteria],
    queryFn: ({ signal }) => previewSegment(criteria, signal),
    staleTime: 5_000,
  });

export const usePreview = (criteria: Group, enabled: boolean) =>
  useQuery({ ...previewQuery(criteria), enabled, placeholderData: keepPreviousData, retry: false });
