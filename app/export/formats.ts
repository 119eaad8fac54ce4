/** The export formats a finished run can be written as; the API and the CLI name them from here. */
import { z } from 'zod';
import { EXPORT_FORMATS } from './formatNames';

export { EXPORT_FORMATS };
export const exportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof exportFormatSchema>;
