import { DOMParser, type Document, type Element, type Node as XmlNode } from '@xmldom/xmldom';

export const NS = {
  posten: 'http://signering.posten.no/schema/v1',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xades: 'http://uri.etsi.org/01903/v1.3.2#',
  asic: 'http://uri.etsi.org/2918/v1.2.1#',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const;

export class XmlParseError extends Error {
  override readonly name = 'XmlParseError';
}

const ELEMENT_NODE = 1;

/**
 * Parses XML namespace-aware. Documents with a DOCTYPE are refused outright: Posten never sends one, and refusing
 * closes the door on entity-expansion tricks whatever the parser's defaults are.
 */
export function parseXml(text: string): Document {
  if (/<!DOCTYPE/i.test(text)) throw new XmlParseError('XML with a DOCTYPE is not accepted');
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') errors.push(message);
    },
  }).parseFromString(text, 'text/xml');
  if (errors.length > 0 || !doc.documentElement) {
    throw new XmlParseError(`not well-formed XML: ${errors[0] ?? 'no root element'}`.slice(0, 200));
  }
  return doc;
}

export function isElement(node: XmlNode | null | undefined): node is Element {
  return !!node && node.nodeType === ELEMENT_NODE;
}

export function childElements(parent: Element, ns?: string, localName?: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (!isElement(n)) continue;
    if (ns !== undefined && n.namespaceURI !== ns) continue;
    if (localName !== undefined && n.localName !== localName) continue;
    out.push(n);
  }
  return out;
}

export function child(parent: Element, ns: string, localName: string): Element | undefined {
  return childElements(parent, ns, localName)[0];
}

export function childText(parent: Element, ns: string, localName: string): string | undefined {
  const el = child(parent, ns, localName);
  return el ? (el.textContent ?? '').trim() : undefined;
}

export function requireChild(parent: Element, ns: string, localName: string): Element {
  const el = child(parent, ns, localName);
  if (!el) throw new XmlParseError(`<${parent.localName}> has no <${localName}>`);
  return el;
}

export function requireChildText(parent: Element, ns: string, localName: string): string {
  return (requireChild(parent, ns, localName).textContent ?? '').trim();
}

/** Depth-first search for the element whose attribute `attr` (no namespace) equals `value`. */
export function findById(root: Element, value: string, attr = 'Id'): Element | undefined {
  if (root.getAttribute(attr) === value) return root;
  for (const c of childElements(root)) {
    const found = findById(c, value, attr);
    if (found) return found;
  }
  return undefined;
}

export function descendants(root: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (el: Element): void => {
    for (const c of childElements(el)) {
      if (c.namespaceURI === ns && c.localName === localName) out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}
