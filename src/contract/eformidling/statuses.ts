/**
 * The integrasjonspunkt's vocabulary (`ReceiptStatus`, service identifiers, document types), exactly as the IP spells
 * it in JSON. Part of the persisted contract: callers branch on these values.
 */
export const messageStatuses = [
  'OPPRETTET',
  'SENDT',
  'MOTTATT',
  'LEVERT',
  'LEST',
  'FEIL',
  'ANNET',
  'INNKOMMENDE_MOTTATT',
  'INNKOMMENDE_LEVERT',
  'LEVETID_UTLOPT',
] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && (messageStatuses as readonly string[]).includes(value);
}

/** Transports the IP routes to. `UNKNOWN` appears in capability answers for receivers the registry cannot route. */
export const serviceIdentifiers = ['DPO', 'DPV', 'DPI', 'DPF', 'DPE', 'DPH', 'DPFIO', 'UNKNOWN'] as const;
export type ServiceIdentifier = (typeof serviceIdentifiers)[number];

export function isServiceIdentifier(value: unknown): value is ServiceIdentifier {
  return typeof value === 'string' && (serviceIdentifiers as readonly string[]).includes(value);
}

/** `documentIdentification.type` values and the standard each one belongs to. */
export const documentStandards = {
  arkivmelding: 'urn:no:difi:arkivmelding:xsd::arkivmelding',
  arkivmelding_kvittering: 'urn:no:difi:arkivmelding:xsd::arkivmelding_kvittering',
  status: 'urn:no:difi:eformidling:xsd::status',
  feil: 'urn:no:difi:eformidling:xsd::feil',
  digital: 'urn:no:difi:digitalpost:xsd:digital::digital',
  digital_dpv: 'urn:no:difi:digitalpost:xsd:digital::digital_dpv',
  print: 'urn:no:difi:digitalpost:xsd:fysisk::print',
  innsynskrav: 'urn:no:difi:einnsyn:xsd::innsynskrav',
  publisering: 'urn:no:difi:einnsyn:xsd::publisering',
  einnsyn_kvittering: 'urn:no:difi:einnsyn:xsd::einnsyn_kvittering',
  avtalt: 'urn:no:difi:avtalt:xsd::avtalt',
  dialogmelding: 'urn:no:difi:dialogmelding:xsd::dialogmelding',
  dialogmelding_kvittering: 'urn:no:difi:dialogmelding:xsd::dialogmelding_kvittering',
} as const;
export type DocumentType = keyof typeof documentStandards;

export function isDocumentType(value: unknown): value is DocumentType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(documentStandards, value);
}

/** Types that carry no files (the IP answers 204 on pop and needs no attachment on send). */
export const documentTypesWithoutFiles: readonly DocumentType[] = [
  'status',
  'feil',
  'arkivmelding_kvittering',
  'einnsyn_kvittering',
  'dialogmelding_kvittering',
  'avtalt',
];

/** The largest single file the one-step multipart endpoint accepts (the IP checks each part, not the total). */
export const MULTIPART_MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Per-transport default upload totals of the IP (`difi.move.*.upload-size-limit`); deployments may differ. */
export const defaultTransportLimitBytes: Record<string, number> = {
  DPO: 1_000_000_000,
  DPF: 1_000_000_000,
  DPV: 250_000_000,
  DPI: 50_000_000,
  DPE: 2_000_000,
  DPH: 18_000_000,
};
