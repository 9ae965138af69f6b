import { useMutation } from '@tanstack/react-query';
import { AxiosError, AxiosHeaders } from 'axios';

import { env } from '@/config/env';

export type ChatMessage = { role: 'user' | 'assistant'; content: string };
export type Proposal = {
  kind: 'segment' | 'flow' | 'campaign';
  title: string;
  data: Record<string, unknown>;
};
export type ChatEvent =
  | { type: 'text'; text: string }
  | { type: 'proposal'; proposal: Proposal }
  | { type: 'error'; status: number; detail: string }
  | { type: 'done' };

/** Splits a stream of NDJSON chunks into events; a line may arrive in several chunks. */
export function ndjsonSplitter(onEvent: (e: ChatEvent) => void) {
  let buffer = '';
  return (chunk: string, last = false) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = last ? '' : (lines.pop() ?? '');
    for (const line of lines) if (line.trim()) onEvent(JSON.parse(line) as ChatEvent);
  };
}

/**
 * POST /api/ai/chat streams NDJSON, which axios cannot hand over piece by piece in a browser;
 * this one endpoint uses fetch, and turns a refusal into the same AxiosError shape as the rest,
 * so errorMessage / isUnauthorized treat it alike.
 */
export async function chat(messages: ChatMessage[], onEvent: (e: ChatEvent) => void, signal?: AbortSignal) {
  const response = await fetch(`${env.apiBase}/api/ai/chat`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages }),
    signal,
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    throw new AxiosError(`chat failed: ${response.status}`, String(response.status), undefined, undefined, {
      status: response.status,
      statusText: response.statusText,
      data,
      headers: {},
      config: { headers: new AxiosHeaders() },
    });
  }
  const split = ndjsonSplitter(onEvent);
  if (!response.body) {
    split(await response.text(), true);
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    split(decoder.decode(value, { stream: true }));
  }
  split(decoder.decode(), true);
}

export const useChat = (onEvent: (e: ChatEvent) => void) =>
  useMutation({ mutationFn: (messages: ChatMessage[]) => chat(messages, onEvent) });
