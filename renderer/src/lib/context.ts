/** Typed access to the stores the App provides to every view. */
import { getContext, setContext } from 'svelte';
import type { CurvatureApi, MenuCommand } from '../../../app/ui';
import type { ExperimentStore } from './experiment.svelte';
import type { RaceStore } from './race.svelte';
import type { StatusStore } from './status.svelte';

/** Everything the File menu, the toolbar and the shortcuts can ask for, handled in one place. */
export type Command = MenuCommand | { command: 'new-experiment' };

export interface Commands {
  run(command: Command): Promise<void>;
}

export interface Stores {
  api: CurvatureApi;
  commands: Commands;
  experiment: ExperimentStore;
  race: RaceStore;
  status: StatusStore;
}

const KEY = Symbol('curvature-stores');

export function provideStores(stores: Stores): void {
  setContext(KEY, stores);
}

export function useStores(): Stores {
  return getContext<Stores>(KEY);
}
