/**
 * The renderer's one entry to the host: `getApi()` picks the transport once. Inside the desktop app
 * the preload has put `window.curvature`; in a plain browser the page talks to the local server
 * over a WebSocket, with the token from its own URL.
 */
import type { CurvatureApi } from '../../../app/ui';
import { apiSocketUrl, createWebSocketApi, tokenFromLocation } from './websocket';

declare global {
  interface Window {
    curvature?: CurvatureApi;
  }
}

let api: CurvatureApi | null = null;

export function getApi(): CurvatureApi {
  if (api) return api;
  if (window.curvature) {
    api = window.curvature;
    return api;
  }
  const token = tokenFromLocation(window.location);
  if (!token) {
    throw new Error(
      'No access token in the page URL. Open the exact URL printed by `npm run web` (it ends in ?token=…).',
    );
  }
  api = createWebSocketApi(apiSocketUrl(window.location, token));
  return api;
}

export type { CurvatureApi } from '../../../app/ui';
