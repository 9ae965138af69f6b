import { useMutation } from '@tanstack/react-query';

import { api } from '@/lib/api-client';
import type { Schemas } from '@/lib/api';

import type { Group } from '../lib/criteria';

export type AiSegment = Omit<Schemas['SegmentSuggestion'], 'criteria'> & { criteria: Group };

export const describeSegment = async (prompt: string) =>
  (await api.post<AiSegment>('/api/ai/segment', { prompt })).data;

export const useDescribeSegment = () => useMutation({ mutationFn: describeSegment });
