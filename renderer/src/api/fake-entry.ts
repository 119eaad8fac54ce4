/** Stands in for ./api (the real transport) in `vite build --mode fake`. */
import type { CurvatureApi } from '../../../app/ui';
import { FakeApi } from './fake';

let api: CurvatureApi | null = null;
export function getApi(): CurvatureApi {
  const q = new URLSearchParams(location.search);
  api ??= new FakeApi(Number(q.get('iterations') ?? 400), Number(q.get('tick') ?? 16), Number(q.get('batch') ?? 1));
  return api;
}
