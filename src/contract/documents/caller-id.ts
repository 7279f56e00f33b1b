/**
 * A calling system's id (`archive`, `case-system`): an opaque system name, never a person. It names the system's API
 * keys in the documents API and is the value of the FerjeCaller search attribute on the flows whose documents that
 * system may read. Here, in the contract, because workflow code validates it too (an inbox's consumer names one).
 */
export const CALLER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
