import { documentsModule } from '../documents/module';
import { eformidlingModule } from '../modules/eformidling/module';
import type { IntegrationModule } from './integration';
import { postenSigneringModule } from '../modules/posten-signering/module';
import { signstashModule } from '../modules/signstash/module';
import { ss12000Module } from '../modules/ss12000/module';

/** Every integration this build of Ferje carries, in the order the dev stack starts and demos them. */
export const integrations: IntegrationModule[] = [
  postenSigneringModule,
  eformidlingModule,
  signstashModule,
  ss12000Module,
  documentsModule,
];

export function selectIntegrations(names: string[] | undefined): IntegrationModule[] {
  if (names === undefined) return integrations;
  const unknown = names.filter((n) => !integrations.some((i) => i.name === n));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown integration(s): ${unknown.join(', ')}; known: ${integrations.map((i) => i.name).join(', ')}`,
    );
  }
  return integrations.filter((i) => names.includes(i.name));
}
