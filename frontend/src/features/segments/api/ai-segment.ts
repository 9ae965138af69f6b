import { useMutation } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

import type { Group } from '../lib/criteria';

export type AiSegment = { criteria: Group; count?: number; explanation?: string };

export const describeSegment = async (prompt: string) =>
  (await api.post<AiSegment>('/api/ai/segment', { prompt })).data;

export const useDescribeSegment = () => useMutation({ mutationFn: describeSegment });
