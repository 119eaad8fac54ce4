/** The export format names alone, without their schema: the CLI's help reads them without loading zod. */
export const EXPORT_FORMATS = ['tfjs', 'keras', 'h5', 'onnx', 'npz', 'json'] as const;
