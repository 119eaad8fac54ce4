/**
 * Keeps `experiment.dataCheck` current: whenever the data file or a data setting changes, the host
 * runs the trainer's own preparation on the file (api.checkData) and the answer lands here. Stale
 * answers (a newer change was made meanwhile) are dropped; bursts of changes are coalesced.
 */
import type { CurvatureApi } from '../../../app/ui';
import type { DataCheck } from '../../../app/ui';
import type { Experiment } from '../../../app/ui';
import { errorMessage, humanError } from './files';

const SETTLE_MS = 150;

export interface CheckTarget {
  readonly experiment: Experiment;
  readonly dataFile: { token: string; name: string } | null;
  readonly loading: boolean;
  dataCheck: DataCheck | null;
  checking: boolean;
}

/** Starts watching; returns a function that stops it. */
export function watchDataCheck(api: CurvatureApi, target: CheckTarget): () => void {
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return $effect.root(() => {
    $effect(() => {
      const data = $state.snapshot(target.experiment.data) as Experiment['data'];
      const file = target.dataFile;
      const inline = data.source.kind === 'inline';
      const ready = !target.loading && (inline || file !== null) && data.target !== '';
      const mine = ++sequence;
      if (timer) clearTimeout(timer);
      if (!ready) {
        target.dataCheck = null;
        target.checking = false;
        return;
      }
      target.checking = true;
      timer = setTimeout(async () => {
        let result: DataCheck;
        try {
          result = await api.checkData(inline ? undefined : file?.token, data);
        } catch (e) {
          result = { ok: false, problems: [{ control: 'file', message: humanError(errorMessage(e), file?.name) }], notes: [] };
        }
        if (mine !== sequence) return;
        target.dataCheck = result;
        target.checking = false;
      }, SETTLE_MS);
    });
    return () => {
      if (timer) clearTimeout(timer);
    };
  });
}
