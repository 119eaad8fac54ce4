/** The export formats a finished run can be written as; the API and the CLI name them from here. */
import { z } from 'zod';

export const EXPORT_FORMATS = ['tfjs', 'keras', 'h5', 'onnx', 'npz', 'json'] as const;
export const exportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof exportFormatSchema>;
