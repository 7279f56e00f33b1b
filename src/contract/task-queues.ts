/**
 * One task queue per external system, so that rate limits, concurrency and scaling are per partner API.
 * These names are part of the persisted contract: renaming one strands running workflows.
 */
export const taskQueues = {
  postenSignering: 'ferje-posten-signering',
  eformidling: 'ferje-eformidling',
  signstash: 'ferje-signstash',
  ss12000: 'ferje-ss12000',
  /** Ferje's own document housekeeping (retention), not a partner system. */
  documents: 'ferje-documents',
} as const;

export type IntegrationName = keyof typeof taskQueues;

export const integrationNames = Object.keys(taskQueues) as IntegrationName[];
