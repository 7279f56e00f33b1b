import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes are stored in plain text by the server (the payload codec does not cover them), so every value
 * must be an opaque, non-personal identifier or an enum value. Keep this list short: SQL visibility caps the number of
 * custom attributes per type.
 */
export const searchAttributes = {
  /** Which integration the workflow belongs to: one of the task-queue keys, e.g. `postenSignering`. */
  integration: defineSearchAttributeKey('FerjeIntegration', SearchAttributeType.KEYWORD),
  /** The integration's own status word for the business object (e.g. `IN_PROGRESS`, `LEVERT`, `COMPLETED_SUCCESSFULLY`). */
  status: defineSearchAttributeKey('FerjeStatus', SearchAttributeType.KEYWORD),
  /** The caller's or partner's opaque reference (job reference, messageId, external reference, huvudman id). */
  externalReference: defineSearchAttributeKey('FerjeExternalReference', SearchAttributeType.KEYWORD),
  /**
   * The calling system that started the flow (its documents-API caller id, e.g. `archive`): never a person. The
   * documents API lets a caller read the documents of the flows that carry its id.
   */
  caller: defineSearchAttributeKey('FerjeCaller', SearchAttributeType.KEYWORD),
  /**
   * Posten signering's id of the job a signature-job workflow owns (a number Posten assigns; not personal data). Status
   * changes without `reference` (optional in Posten's XSD) are routed to their workflow by it.
   */
  postenSignatureJobId: defineSearchAttributeKey('PostenSignatureJobId', SearchAttributeType.KEYWORD),
} as const;

/** The `NAME=Type` pairs that `temporal server start-dev --search-attribute` and compose one-shots register. */
export const searchAttributeRegistrations: readonly { name: string; type: 'Keyword' }[] = Object.values(
  searchAttributes,
).map((key) => ({ name: key.name, type: 'Keyword' as const }));
