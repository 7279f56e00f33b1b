import type { ServiceIdentifier } from '../../contract/eformidling';
import { documentStandards } from '../../contract/eformidling';
import type { Capability } from '../../integrations/eformidling/model';

/** How the simulated transport treats messages to a receiver. */
export type Outcome =
  /** … → LEVERT */
  | 'delivered'
  /** … → LEVERT → LEST */
  | 'read'
  /** SENDT → FEIL */
  | 'failed'
  /** … → LEVERT → FEIL (print failing after delivery) */
  | 'failedAfterDelivery'
  /** SENDT and then nothing: the expiry job ends it with LEVETID_UTLOPT */
  | 'stuck';

export type Routing = 'DPO' | 'DPF' | 'DPV' | 'none';

export interface Participant {
  routing: Routing;
  outcome: Outcome;
  /** DPO: only these processes (default: every arkivmelding process). */
  processes?: string[];
}

export const ARKIVMELDING_PROCESSES = [
  'administrasjon',
  'planByggOgGeodata',
  'helseSosialOgOmsorg',
  'oppvekstOgUtdanning',
  'kulturIdrettOgFritid',
  'trafikkReiserOgSamferdsel',
  'naturOgMiljoe',
  'naeringsutvikling',
  'skatterOgAvgifter',
  'tekniskeTjenester',
].map((p) => `urn:no:difi:profile:arkivmelding:${p}:ver1.0`);
const ARKIVMELDING_RESPONSE = 'urn:no:difi:profile:arkivmelding:response:ver1.0';
const DIGITALPOST_PROCESSES = [
  'urn:no:difi:profile:digitalpost:info:ver1.0',
  'urn:no:difi:profile:digitalpost:vedtak:ver1.0',
];

/** Test organisations of the simulator (documented in docs/eformidling.md). */
export function defaultParticipants(ownOrganisation: string): Record<string, Participant> {
  return {
    [ownOrganisation]: { routing: 'DPO', outcome: 'delivered' },
    '920000002': { routing: 'DPO', outcome: 'delivered' },
    '920000003': { routing: 'DPO', outcome: 'read' },
    '920000004': { routing: 'DPO', outcome: 'failed' },
    '920000005': { routing: 'DPO', outcome: 'stuck' },
    '920000006': { routing: 'DPO', outcome: 'failedAfterDelivery' },
    '930000001': { routing: 'DPF', outcome: 'delivered' },
    '940000001': { routing: 'DPV', outcome: 'delivered' },
    '960000001': { routing: 'none', outcome: 'delivered' },
  };
}

const docTypes = (...types: (keyof typeof documentStandards)[]): Capability['documentTypes'] =>
  types.map((type) => ({ type, standard: documentStandards[type] }));

/**
 * The Service Registry's routing as the IP relays it: an organisation on eFormidling gets DPO for its processes,
 * else SvarUt (DPF), else Altinn (DPV); a person gets DPI. Unknown identifiers: undefined (→ 404).
 */
export function capabilitiesFor(
  identifier: string,
  participants: Record<string, Participant>,
  defaultPersonOutcome: Outcome,
): { capabilities: Capability[]; participant: Participant } | undefined {
  const bare = identifier.replace(/^0192:/, '');
  if (/^\d{11}$/.test(bare)) {
    const participant = participants[bare] ?? { routing: 'DPO', outcome: defaultPersonOutcome };
    const address = {
      name: 'Testperson',
      street: 'Testveien 1',
      postalCode: '0001',
      postalArea: 'OSLO',
      country: 'NO',
    };
    return {
      participant,
      capabilities: DIGITALPOST_PROCESSES.map((process) => ({
        process,
        serviceIdentifier: 'DPI',
        documentTypes: docTypes('digital', 'print'),
        postAddress: address,
        returnAddress: { ...address, name: 'Avsender' },
        digitalPostAddress: { supplier: '984661185', address: 'testperson#0001' },
      })),
    };
  }
  const participant = participants[bare];
  if (!participant) return undefined;
  const processes = participant.processes ?? ARKIVMELDING_PROCESSES;
  let capabilities: Capability[] = [];
  switch (participant.routing) {
    case 'DPO':
      capabilities = [
        ...processes.map((process): Capability => ({
          process,
          serviceIdentifier: 'DPO',
          documentTypes: docTypes('arkivmelding'),
        })),
        {
          process: ARKIVMELDING_RESPONSE,
          serviceIdentifier: 'DPO',
          documentTypes: docTypes('arkivmelding_kvittering'),
        },
      ];
      break;
    case 'DPF':
      capabilities = processes.map((process) => ({
        process,
        serviceIdentifier: 'DPF',
        documentTypes: docTypes('arkivmelding'),
      }));
      break;
    case 'DPV':
      capabilities = processes.map((process) => ({
        process,
        serviceIdentifier: 'DPV',
        documentTypes: docTypes('arkivmelding', 'digital_dpv'),
      }));
      break;
    case 'none':
      capabilities = [];
  }
  return { capabilities, participant };
}

/** Status sequences per transport, as the digest describes them (LEST and FEIL are added by the outcome). */
export function progressionFor(service: ServiceIdentifier, outcome: Outcome): string[] {
  const toDelivered: Record<string, string[]> = {
    DPO: ['SENDT', 'MOTTATT', 'LEVERT'],
    DPE: ['SENDT', 'MOTTATT', 'LEVERT'],
    DPI: ['SENDT', 'MOTTATT', 'LEVERT'],
    DPF: ['SENDT', 'LEVERT'],
    DPV: ['SENDT', 'LEVERT'],
  };
  const delivered = toDelivered[service] ?? ['SENDT', 'LEVERT'];
  switch (outcome) {
    case 'delivered':
      return delivered;
    case 'read':
      return [...delivered, 'LEST'];
    case 'failed':
      return ['SENDT', 'FEIL'];
    case 'failedAfterDelivery':
      return [...delivered, 'FEIL'];
    case 'stuck':
      return ['SENDT'];
  }
}
