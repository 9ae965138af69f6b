import { queryOptions, useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Page } from '@/lib/api';

// For segment triggers and enrolment (features do not import each other).
export type SegmentOption = { id: number; name: string };

export const getSegmentOptions = async () =>
  (await api.get<Page<SegmentOption>>('/api/segments', { params: { limit: 200 } })).data.data;

export const segmentOptionsQuery = () =>
  queryOptions({ queryKey: ['segments', 'list', 'options'], queryFn: getSegmentOptions });

export const useSegmentOptions = () => useQuery(segmentOptionsQuery());
