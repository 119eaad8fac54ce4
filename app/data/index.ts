/** The data layer's public surface: load, preview and prepare datasets. */
export { DataError } from './types';
export type { PreparedData, Preprocessing, Split, Task } from './types';
export type { ColumnInfo, DatasetPreview } from './preview';
export { columnHints, looksLikeDate, WIDE_ONE_HOT, type ColumnHint, type ColumnHintKind } from './columnHints';
export { prepareData, prepareTable, MAX_CATEGORIES, type PrepareOptions, type DataSpecInput } from './prepare';
export { previewDataset, previewSource, previewTable, suggestTarget } from './previewDataset';
export { loadTable, formatFromPath, resolvePath, tableFromInline, DEFAULT_MAX_FILE_BYTES, type LoadOptions } from './load';
export { loadCsv, sniffDelimiter, looksLikeHeader } from './csv';
export { loadJson, tableFromJson } from './json';
export { parseNpy, readNpz, tableFromArrays, type NpyArray } from './npy';
export { splitRows, shuffleInPlace, seededRandom, type Random, type SplitIndices } from './split';
export { inferTask, summarizeTarget, sortLabels } from './infer';
export type { RawTable, RawColumn, DataFormat, ColumnKind } from './table';
