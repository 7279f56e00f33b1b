import type { Attr, Element, Node as XmlNode } from '@xmldom/xmldom';
import { NS } from './dom';

/**
 * Inclusive Canonical XML 1.0 without comments (http://www.w3.org/TR/2001/REC-xml-c14n-20010315) of one element
 * subtree *in its document context*: the apex element carries every namespace declaration in scope from its
 * ancestors. That context is exactly what XAdES' SignedProperties digest depends on (Posten's verifier digests the
 * element as it sits in the final signatures.xml, not as a free-standing fragment).
 *
 * Scope: the XML Ferje and its simulator exchange (elements, attributes, text, CDATA; no DTD, comments are dropped,
 * processing instructions inside the subtree are kept). Inherited xml:* attributes are not pulled onto the apex
 * (Posten's documents use none).
 */
export function canonicalize(apex: Element): string {
  const inherited = new Map<string, string>();
  const chain: Element[] = [];
  for (let p = apex.parentNode; p && p.nodeType === 1; p = p.parentNode) chain.unshift(p as Element);
  for (const ancestor of chain) for (const [prefix, uri] of namespaceDeclarations(ancestor)) inherited.set(prefix, uri);
  const out: string[] = [];
  // What the nearest output ancestor rendered: the apex starts from "nothing rendered" so that it renders all.
  writeElement(apex, new Map(), inherited, out);
  return out.join('');
}

function namespaceDeclarations(el: Element): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i) as Attr;
    if (a.namespaceURI === NS.xmlns || a.name === 'xmlns' || a.name.startsWith('xmlns:')) {
      out.push([a.name === 'xmlns' ? '' : a.name.slice('xmlns:'.length), a.value]);
    }
  }
  return out;
}

function writeElement(
  el: Element,
  rendered: Map<string, string>,
  inScopeFromParent: Map<string, string>,
  out: string[],
): void {
  const inScope = new Map(inScopeFromParent);
  for (const [prefix, uri] of namespaceDeclarations(el)) inScope.set(prefix, uri);

  const nsOut: [string, string][] = [];
  const nowRendered = new Map(rendered);
  for (const [prefix, uri] of inScope) {
    // The empty default namespace is rendered only to undo a default that an output ancestor rendered.
    if (prefix === '' && uri === '') {
      if ((rendered.get('') ?? '') !== '') nsOut.push(['', '']);
      nowRendered.set('', '');
      continue;
    }
    if (rendered.get(prefix) !== uri) {
      nsOut.push([prefix, uri]);
      nowRendered.set(prefix, uri);
    }
  }
  nsOut.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const attrs: { ns: string; local: string; name: string; value: string }[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i) as Attr;
    if (a.namespaceURI === NS.xmlns || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    attrs.push({ ns: a.namespaceURI ?? '', local: a.localName ?? a.name, name: a.name, value: a.value });
  }
  attrs.sort((x, y) => (x.ns !== y.ns ? (x.ns < y.ns ? -1 : 1) : x.local < y.local ? -1 : x.local > y.local ? 1 : 0));

  out.push(`<${el.tagName}`);
  for (const [prefix, uri] of nsOut) out.push(` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escapeAttr(uri)}"`);
  for (const a of attrs) out.push(` ${a.name}="${escapeAttr(a.value)}"`);
  out.push('>');
  for (let n: XmlNode | null = el.firstChild; n; n = n.nextSibling) {
    switch (n.nodeType) {
      case 1:
        writeElement(n as Element, nowRendered, inScope, out);
        break;
      case 3: // text
      case 4: // CDATA is replaced by its character content
        out.push(escapeText(n.nodeValue ?? ''));
        break;
      case 7: // processing instruction
        out.push(`<?${(n as unknown as { target: string }).target}${n.nodeValue ? ` ${n.nodeValue}` : ''}?>`);
        break;
      default: // comments are dropped (c14n without comments)
        break;
    }
  }
  out.push(`</${el.tagName}>`);
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function escapeAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}
