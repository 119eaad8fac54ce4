/**
 * The one module the renderer imports from app/: what the UI may use — types, schemas and pure
 * helpers. Nothing reachable from here touches Node (checked by the import rules in
 * .dependency-cruiser.cjs), so the same bundle runs in Electron's renderer and in a browser.
 */
export { createApiClient, decodeJson, encodeJson } from './api/client';
export type { ApiMethod, ApiTransport, PushMessage } from './api/client';
export { EXPORT_FORMATS } from './api/contract';
export type { CurvatureApi, ExampleInfo, ExportFormat, ExportResult, FileHandle, MenuCommand, ModelImportInfo, TrainerState } from './api/contract';
export type { DataCheck, DataControl, DataProblem } from './data/check-result';
export type { ColumnInfo, DatasetPreview } from './data/preview';
export type { ColumnHint, ColumnHintKind } from './data/columnHints';
export { DATE_PARTS } from './data/dates';
export type { Task } from './data/types';
export { ENGINE_NAMES, ONNX_DEVICES } from './engine/engine';
export type { EngineReport, DeviceReport } from './engine/types';
export { lossForTask, stackParameterCount } from './model/layers';
export { ACTIVATIONS, LOSSES, layerSpecSchema, modelSpecSchema } from './model/spec';
export type { Activation, LayerSpec } from './model/spec';
export { OPTIMIZER_KINDS, OPTIMIZER_LABELS, bfgsSpecSchema, isLevenbergMarquardt, isQuasiNewton, lbfgsSpecSchema, optimizerLabel, optimizerSpecSchema, singleOptimizerSpecSchema, stoppingSpecSchema, variantSummary } from './optim/spec';
export type { OptimizerKind, OptimizerSpec, SequenceSpec, SingleOptimizerKind, SingleOptimizerSpec, StoppingSpec } from './optim/spec';
export { formatBytes } from './util/bytes';
export { dataSpecSchema, experimentSchema, FITTING_VALIDATION_CHECKS, parseExperiment, runSpecSchema } from './schema/experiment';
export { targetsOf } from './data/spec';
export type { DataSpec, Experiment, RunSpec } from './schema/experiment';
export { aggregateRepeats } from './train/aggregate';
export type { Aggregate, Comparison } from './train/aggregate';
export type { EventSubsetPredictions, ExperimentEvent, IterationPoint, RunSpectrum, RunSummary, StartupStage, SubsetFit, SubsetName, SubsetScore } from './train/events';
export { formatEigenvalue, spectrumVerdict } from './optim/spectrumVerdict';
export type { SpectrumReport, SpectrumVerdict } from './optim/spectrumVerdict';
export { repeatRunId } from './train/repeatIds';
export { quartiles } from './train/stats';
export type { Quartiles } from './train/stats';
export {
  FIGURE_SUBSETS,
  SUBSET_COLORS,
  SUBSET_TITLES,
  binaryScores,
  chosenSubsets,
  confusionCsv,
  confusionRowPercentages,
  errorHistogram,
  histogramCsv,
  leastSquaresLine,
  niceTicks,
  pearsonR,
  performanceCsv,
  performanceSeries,
  regressionCsv,
  regressionPairs,
  rocCsv,
  rocCurve,
  sumConfusions,
} from './train/figures';
export type { Histogram, PerformanceSeries, PlotSubset, PlotSubsets, RocCurve, SubsetChoice } from './train/figures';
