// Where the app finds the API. Same origin by default: FastAPI serves the built app, and
// `npm run dev` proxies /api to it.
export const env = {
  apiBase: import.meta.env.VITE_API_BASE ?? '',
  // Live views (campaign progress, flow runs) refetch at this pace while something moves.
  pollMs: Number(import.meta.env.VITE_POLL_MS ?? 1000),
};
