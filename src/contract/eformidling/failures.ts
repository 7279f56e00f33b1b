import type { MessageStatus, ServiceIdentifier } from './types';
import type { StatusEntry } from './types';

/** Stable `ApplicationFailure.type`s of the eFormidling workflows (see docs/eformidling.md). */
export const eformidlingFailureTypes = {
  /** The receiver is unknown to the registers, or has no capability for the process/document type asked for. */
  noCapability: 'EformidlingNoCapability',
  /** The IP (or the lifetime bound) says the message was not delivered in time: `LEVETID_UTLOPT`. Resend with a NEW messageId. */
  lifetimeExpired: 'EformidlingLifetimeExpired',
  /** The IP reported `FEIL` for the message (before or after `LEVERT`). */
  deliveryFailed: 'EformidlingDeliveryFailed',
  /** The files together exceed the chosen transport's total upload limit. Nothing was sent. */
  messageTooLarge: 'EformidlingMessageTooLarge',
  /** The IP rejected the message with a 4xx that retrying cannot fix (validation, service not enabled, …). */
  rejected: 'EformidlingRejected',
  /** The IP answered with a body Ferje cannot understand. */
  malformedResponse: 'FerjeMalformedResponse',
} as const;

/** `details[0]` of a failed outgoing message: the whole status history, so the caller sees what happened. */
export interface OutgoingFailureDetails {
  messageId: string;
  serviceIdentifier?: ServiceIdentifier;
  lastStatus?: MessageStatus;
  /** True when `FEIL` (or `LEVETID_UTLOPT`) came after the message had already been `LEVERT`. */
  afterDelivery?: boolean;
  /** `unknown-receiver` or `no-matching-capability` for `EformidlingNoCapability`. */
  reason?: string;
  statuses: StatusEntry[];
}
