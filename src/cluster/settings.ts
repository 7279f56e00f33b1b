import { searchAttributeRegistrations } from '../contract/search-attributes';

/**
 * The self-hosted Temporal cluster, as one set of settings: `ferje cluster up` runs it natively from these, and
 * docker-compose.yml states the same values for containers (test/unit/cluster-settings.test.ts keeps them equal).
 * Bump the server version here and in docker-compose.yml together; the schema comes from the same module version.
 */
export const clusterSettings = {
  /** go.temporal.io/server: the server and temporal-sql-tool are built from this module version. */
  temporalServerVersion: '1.32.2',
  /** The Go toolchain the server's go.mod asks for; the Go module proxy serves it (GOTOOLCHAIN). */
  goToolchain: 'go1.27.3',
  /** Debian's Postgres natively, the official image of the same major version in compose. */
  postgresMajor: 15,
  /** The server's SQL plugin for Postgres 12 and later, for persistence and visibility alike. */
  sqlPlugin: 'postgres12',
  databases: { persistence: 'temporal', visibility: 'temporal_visibility' },
  postgresUser: 'temporal',
  /** Compose's default; both read POSTGRES_PASSWORD when set. */
  defaultPostgresPassword: 'temporal',
  namespace: 'default',
  /** How long closed workflows stay visible (history and results): 30 days. */
  retention: '720h',
  /** Dynamic config shared with compose (mounted into the container there), relative to the project. */
  dynamicConfigFile: 'compose/dynamicconfig/development-sql.yaml',
  searchAttributes: searchAttributeRegistrations,
} as const;

export type ClusterSettings = typeof clusterSettings;
