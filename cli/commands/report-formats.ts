/** The formats `pushsim report` renders and its flags: shared by the command's definition and its action. */
export const reportFormats = ['text', 'json', 'junit', 'html'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface ReportFlags {
  readonly format?: ReportFormat;
  readonly out?: string;
}
