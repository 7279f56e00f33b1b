/** A store location is a Postgres URL (the shared store) or a file path (the embedded SQLite store). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The location as it may be shown: a URL's password never reaches a terminal or a log. */
export function displayLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'the configured Postgres URL';
  }
}
