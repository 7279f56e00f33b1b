/**
 * Whether an `Accept` header admits a media type, as a JAX-RS server decides it (Posten's API is a Java service):
 * no header admits anything, `*\/*` and `type/*` are wildcards, a `q=0` entry refuses. Otherwise the server answers
 * 406, which is why the simulator serves each download only with the media type the official clients ask for.
 */
export function acceptsMediaType(accept: string | undefined, mediaType: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [type] = mediaType.split('/');
  return accept.split(',').some((entry) => {
    const [range, ...params] = entry.split(';').map((p) => p.trim().toLowerCase());
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) return false;
    return range === '*/*' || range === `${type}/*` || range === mediaType;
  });
}
