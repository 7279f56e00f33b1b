import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitListBody as splitBytes } from '../../../src/integrations/ss12000/list-body';

/** The split of a body as it arrives: its UTF-8 bytes. */
const splitListBody = (text: string) => splitBytes(Buffer.from(text, 'utf8'));

/** What JSON.parse makes of the same body: the split must agree with it on every well-formed answer. */
function parsedBoth(text: string): { elements?: unknown[]; fields: Record<string, unknown> } {
  const split = splitListBody(text);
  return { elements: split.elements?.map((e) => JSON.parse(e) as unknown), fields: split.fields };
}

function parsedByJson(text: string): { elements?: unknown[]; fields: Record<string, unknown> } {
  const body = JSON.parse(text) as Record<string, unknown>;
  if (!Array.isArray(body.data)) return { elements: undefined, fields: body };
  const { data, ...fields } = body;
  return { elements: data as unknown[], fields };
}

describe('SS12000 list body split (entities as text, parsed one at a time)', () => {
  it('gives each element of data as its exact text, and the other fields parsed, like JSON.parse', () => {
    const bodies = [
      '{"data":[]}',
      '{"data":[{"id":"a"}],"pageToken":"t1"}',
      ' \n{ "pageToken" : null , "data" : [ {"id":"a","n":[1,2,{"x":"]}"}]} , {"id":"b\\"}{[","e":"\\\\"} ]\t}\r\n',
      '{"data":[1,-2.5e3,true,false,null,"s",[],{}],"pageToken":""}',
      '{"data":[{"givenName":"Åsa Öberg","note":"a \\u00e5 \\n b"}],"extra":{"nested":[{"a":"}"}]}}',
      '{}',
      '{"pageToken":"only"}',
      '{"data":{"persons":["p1"]},"pageToken":"x"}',
    ];
    for (const body of bodies) assert.deepEqual(parsedBoth(body), parsedByJson(body), body);
  });

  it('keeps the element text unchanged, so the stored body is the text as fetched', () => {
    const entity = '{ "id" : "3f0c6a1e-1111-4222-8333-944445555666",\n  "names": {"givenName": "Alva"} }';
    const split = splitListBody(`{"data": [${entity},  {"id":"x"}], "pageToken": "n"}`);
    assert.deepEqual(split.elements, [entity, '{"id":"x"}']);
    assert.equal(split.fields.pageToken, 'n');
  });

  it('decodes each element from its own bytes: non-ASCII text, a leading byte order mark, invalid UTF-8', () => {
    const entity = '{"id":"p1","givenName":"Åsa","familyName":"Öberg 𝄞"}';
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"data":[${entity}],"pageToken":"ü"}`)]);
    const split = splitBytes(bom);
    assert.deepEqual(split.elements, [entity]);
    assert.equal(split.fields.pageToken, 'ü');
    // A broken sequence inside an element becomes U+FFFD, as when the whole answer is read as text.
    const broken = Buffer.concat([Buffer.from('{"data":[{"n":"a'), Buffer.from([0xc3]), Buffer.from('"}]}')]);
    assert.deepEqual(splitBytes(broken).elements, ['{"n":"a\ufffd"}']);
    assert.equal(JSON.stringify(splitBytes(broken).elements), JSON.stringify([broken.toString('utf8').slice(9, -2)]));
  });

  it('gives elements that share nothing with the answer (strings of their own, not slices of the page)', () => {
    const bytes = Buffer.from('{"data":[{"id":"a"},{"id":"b"}]}');
    const split = splitBytes(bytes);
    bytes.fill(0x20);
    assert.deepEqual(split.elements, ['{"id":"a"}', '{"id":"b"}']);
  });

  it('counts a repeated data key once, the last one, as JSON.parse does', () => {
    assert.deepEqual(splitListBody('{"data":[{"id":"a"}],"data":[{"id":"b"}]}').elements, ['{"id":"b"}']);
    assert.equal(splitListBody('{"data":[{"id":"a"}],"data":{"persons":[]}}').elements, undefined);
  });

  it('reads a field named like an Object.prototype member as a plain field', () => {
    const split = splitListBody('{"__proto__":{"polluted":true},"data":[]}');
    assert.deepEqual(Object.keys(split.fields), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses a body whose structure is not a JSON object, wherever it breaks', () => {
    const broken = [
      '',
      '[]',
      'null',
      '{"data":[{"id":"a"}]',
      '{"data":[{"id":"a"} {"id":"b"}]}',
      '{"data":[{"id":"a"},]}',
      '{"data":[{"id":"a"}]}}',
      '{"data":[{"id":"a"}]} trailing',
      '{"data" [1]}',
      '{data:[1]}',
      '{"data":[1],}',
      '{"data":["unterminated]}',
      '{"data":[{"id":"a"]}',
      '{"pageToken":tru,"data":[]}',
    ];
    for (const body of broken) {
      assert.throws(
        () => {
          // An element the structure allowed through must still fail to parse on its own.
          for (const e of splitListBody(body).elements ?? []) JSON.parse(e);
        },
        SyntaxError,
        body,
      );
    }
  });
});
