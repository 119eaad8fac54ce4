/** Backend and trainer process state for the status bar. */
import type { CurvatureApi, TrainerState } from '../../../app/ui';
import type { EngineReport } from '../../../app/ui';
import { errorMessage } from './files';

export class StatusStore {
  backend = $state.raw<EngineReport | null>(null);
  backendError = $state<string | null>(null);
  trainer = $state<TrainerState>('idle');

  constructor(private readonly api: CurvatureApi) {
    api.onTrainerState((s) => (this.trainer = s));
  }

  async load(): Promise<void> {
    try {
      this.trainer = await this.api.getTrainerState();
      this.backend = await this.api.getEngineReport();
    } catch (e) {
      this.backendError = errorMessage(e);
    }
  }
}
