/**
 * A request path as a route template for labels: words stay, anything that could be an identifier (numbers, UUIDs,
 * organisation numbers, references, tokens) becomes `:id`, and the query is dropped. Keeps label sets small and
 * free of personal data whatever a partner API puts in its URLs.
 */
export function routeTemplate(path: string): string {
  const pathOnly = path.split(/[?#]/)[0];
  const segments = pathOnly.split('/').map((segment) => {
    if (segment === '') return segment;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return ':id';
    }
    if (/^v\d{1,2}$/.test(decoded)) return decoded; // API versions: /v2/persons
    return /^[A-Za-z][A-Za-z_-]{0,39}$/.test(decoded) && !/^[a-f0-9-]{8,}$/i.test(decoded) ? decoded : ':id';
  });
  const template = segments.join('/') || '/';
  return template.length > 120 ? `${template.slice(0, 117)}...` : template;
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
