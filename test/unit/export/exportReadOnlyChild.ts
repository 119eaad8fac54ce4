/** Child process for the read-only test: runs one export and prints {ok, message} as JSON. */
import * as tf from '@tensorflow/tfjs';
import { checkExportDestination, exportRun } from '../../../app/export';
import { parseExperiment } from '../../../app/schema/experiment';
import { CLASSIFIER, makeLayers } from './helpers';

const dest = process.argv[2];
/** 'check': only the up-front destination check the CLI runs before training. */
const mode = process.argv[3] ?? 'export';
// tfjs prints a "use tfjs-node" banner through console.warn; keep stderr for real errors only.
console.warn = () => undefined;
await tf.setBackend('cpu');
try {
  if (mode === 'check') {
    await checkExportDestination(dest, { estimatedBytes: 1024 });
    console.log(JSON.stringify({ ok: true }));
    process.exit(0);
  }
  await exportRun({
    directory: dest,
    formats: ['json', 'h5'],
    experiment: parseExperiment({
      data: { source: { kind: 'file', path: 'x.csv' }, target: 'y' },
      model: { layers: [{ units: 8 }, { units: 3 }] },
      runs: [{ optimizer: { kind: 'lbfgs' } }],
    }),
    summary: {
      runId: 'r', optimizer: 'lbfgs', label: 'L-BFGS', status: 'gradient-tolerance', success: true, message: '',
      iterations: 0, functionEvaluations: 0, gradientEvaluations: 0, trainLoss: 0, objective: 0, metrics: {}, seconds: 0,
    },
    layers: makeLayers(CLASSIFIER.inputDim, CLASSIFIER.plan),
    inputDim: CLASSIFIER.inputDim,
    preprocessing: {
      featureColumns: [], inputNames: [], standardization: [], oneHot: [], target: 'y', task: 'regression',
      missing: { policy: 'error', droppedRows: 0, filledCells: 0 },
    },
    history: [],
  });
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, message: (e as Error).message }));
}
