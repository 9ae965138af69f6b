import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';

import { env } from '@/config/env';
import { api } from '@/lib/api-client';
import type { Page } from '@/lib/api';

import type { Message, MessageFilters } from './types';

export const getMessages = async (params: MessageFilters & { cursor?: string; limit?: number }) =>
  (await api.get<Page<Message>>('/api/messages', { params })).data;

export const messagesQuery = (filters: MessageFilters) =>
  infiniteQueryOptions({
    queryKey: ['messages', 'list', filters],
    queryFn: ({ pageParam }) => getMessages({ ...filters, cursor: pageParam, limit: 50 }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });

/** Refreshes while messages are still pending, so the outbox fills in as they go. */
export const useMessages = (filters: MessageFilters) =>
  useInfiniteQuery({
    ...messagesQuery(filters),
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.data.some((m) => m.status === 'pending')) ? env.pollMs * 2 : false,
  });
