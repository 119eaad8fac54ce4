/** A run's status in words, including what the experiment is doing before the first point. */
import type { StartupStage } from '../../../app/ui';
import type { RaceRun } from './race.svelte';

const STAGES: Record<StartupStage, string> = {
  'starting-engine': 'Starting the compute engine…',
  'loading-data': 'Loading and preparing the data…',
  'building-model': 'Building the model…',
  'first-evaluation': 'Waiting for its first evaluation…',
};

export function startupText(stage: StartupStage | null, starting: boolean): string {
  if (stage) return STAGES[stage];
  return starting ? 'Starting the trainer…' : 'Starting the trainer process…';
}

export function statusText(r: RaceRun, stage: StartupStage | null, starting: boolean): string {
  if (r.summary) return r.summary.message;
  if (r.error) return r.error;
  if (r.phase === 'stopping') return 'Stopping…';
  if (r.firstEvaluation) return 'First evaluation: loss and gradient at the shared start point…';
  if (r.phase === 'queued') return startupText(stage, starting);
  return 'Running…';
}
