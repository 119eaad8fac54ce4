/** What a data check answers (plain JSON; the renderer imports these types). */
import type { Task } from './types';

/** The Data view control a problem is fixed with. */
export type DataControl = 'file' | 'target' | 'task' | 'roles' | 'missing' | 'oneHot' | 'dates' | 'split';

export interface DataProblem {
  control: DataControl;
  /** Human words, naming controls as the Data view labels them; no host path. */
  message: string;
  /** 1-based row as in an editor (CSV: the header is row 1). */
  row?: number;
  column?: string;
  /** The offending cell or category, when there is one. */
  value?: string;
}

export interface DataCheck {
  ok: boolean;
  problems: DataProblem[];
  task?: Task;
  inputDim?: number;
  trainRows?: number;
  validationRows?: number;
  notes: string[];
}

