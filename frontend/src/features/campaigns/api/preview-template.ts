import { useQuery } from '@tanstack/react-query';

import { api } from '@/lib/api-client';

export type TemplateInput = {
  channel: 'email' | 'push';
  subject?: string;
  html?: string;
  title?: string;
  body?: string;
};
export type RenderedTemplate = { subject?: string; html?: string; text?: string; title?: string; body?: string };

/** The content rendered for one customer, as they would receive it. */
export const previewTemplate = async (content: TemplateInput, customerId?: number, signal?: AbortSignal) =>
  (
    await api.post<RenderedTemplate>(
      '/api/templates/preview',
      { ...content, ...(customerId ? { customer_id: customerId } : {}) },
      { signal },
    )
  ).data;

export const useTemplatePreview = (content: TemplateInput, customerId?: number) =>
  useQuery({
    queryKey: ['templates', 'preview', content, customerId],
    queryFn: ({ signal }) => previewTemplate(content, customerId, signal),
    retry: false,
    staleTime: 30_000,
  });
