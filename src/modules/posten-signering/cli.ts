import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { UsageError, type CliCommand } from '../../cli/command';
import { createBlobStore } from '../../blobs/from-config';
import { loadFerjeConfig } from '../../config/ferje-config';
import type { PostenSignatureJobInput } from '../../contract/posten-signering';
import { validatePostenJob } from '../../contract/posten-signering';
import { buildDocumentBundle, SIGNATURES_ENTRY } from '../../integrations/posten-signering/bundle';
import { loadPostenConfig } from './config';
import { buildJobRequestXml } from '../../integrations/posten-signering/job-xml';
import { loadPkcs12, type EnterpriseKeystore } from '../../integrations/posten-signering/keystore';
import { validatePortalXml, validateSignaturesXml } from '../../integrations/posten-signering/xsd';
import { postenBundleCommandInfo } from './cli-info';

/** A job description for the CLI: documents may name a local file (`path`) instead of a blob reference. */
type CliJob = Omit<PostenSignatureJobInput, 'documents'> & {
  documents: (Omit<PostenSignatureJobInput['documents'][number], 'content'> & {
    path?: string;
    content?: PostenSignatureJobInput['documents'][number]['content'];
  })[];
};

export const postenBundleCommand: CliCommand = {
  ...postenBundleCommandInfo,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        job: { type: 'string' },
        out: { type: 'string' },
        'test-certificate': { type: 'boolean', default: false },
      },
    });
    if (!values.job || !values.out) throw new UsageError('--job and --out are required');
    const raw = JSON.parse(await readFile(values.job, 'utf8')) as CliJob;
    const baseDir = path.dirname(path.resolve(values.job));
    const blobStore = createBlobStore(process.env, loadFerjeConfig(process.env));
    const documents: Uint8Array[] = [];
    const job: PostenSignatureJobInput = { ...raw, documents: [] };
    for (const doc of raw.documents ?? []) {
      let bytes: Buffer;
      if (doc.path) bytes = await readFile(path.resolve(baseDir, doc.path));
      else if (doc.content) bytes = await streamToBuffer(await blobStore.get(doc.content));
      else throw new UsageError('every document needs "path" (a local file) or "content" (a blob reference)');
      documents.push(bytes);
      const { path: _path, ...rest } = doc;
      job.documents.push({
        ...rest,
        content: { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length },
      });
    }
    const problems = validatePostenJob(job);
    if (problems.length > 0) {
      console.error('The job description is not valid:');
      for (const p of problems) console.error(`  ${p.path}: ${p.problem}`);
      return 1;
    }
    const keystore = await keystoreFor(values['test-certificate'] ?? false, job.sender);
    const bundle = buildDocumentBundle(job, documents, keystore, new Date());
    const requestXml = buildJobRequestXml(job);
    const out = path.resolve(values.out);
    await mkdir(path.join(out, 'META-INF'), { recursive: true });
    await writeFile(path.join(out, 'request.xml'), requestXml);
    await writeFile(path.join(out, 'manifest.xml'), bundle.manifestXml);
    await writeFile(path.join(out, SIGNATURES_ENTRY), bundle.signaturesXml);
    await writeFile(path.join(out, 'bundle.asice'), bundle.zip);
    const schema = await validatePortalXml([
      { name: 'request.xml', xml: requestXml },
      { name: 'manifest.xml', xml: bundle.manifestXml },
    ]);
    const signatureSchema = await validateSignaturesXml(bundle.signaturesXml);
    console.log(
      `Wrote ${out}: request.xml, manifest.xml, META-INF/signatures.xml, bundle.asice (${bundle.zip.length} bytes)`,
    );
    console.log(`Bundle entries: ${bundle.entries.join(', ')}`);
    console.log(`Request and manifest against Posten's XSDs: ${schema.valid ? 'valid' : schema.errors.join('; ')}`);
    console.log(
      `signatures.xml against the ASiC/XML-DSig XSDs: ${signatureSchema.valid ? 'valid' : signatureSchema.errors.join('; ')}`,
    );
    return schema.valid && signatureSchema.valid ? 0 : 1;
  },
};

async function keystoreFor(testCertificate: boolean, sender: string): Promise<EnterpriseKeystore> {
  if (testCertificate) {
    // Only for looking at the structure: a throw-away certificate from a throw-away CA (the simulator's test PKI,
    // loaded only here so that production code never loads the simulator).
    const { createTestPki } = await import('../../simulators/posten-signering/test-pki.js');
    return loadPkcs12(createTestPki().enterprise(sender, 'inspect'), 'inspect');
  }
  const config = loadPostenConfig(process.env);
  if (!config.keystore) {
    throw new UsageError('set POSTEN_SIGNERING_KEYSTORE_FILE and _PASSPHRASE, or pass --test-certificate');
  }
  return loadPkcs12(await readFile(config.keystore.file), config.keystore.passphrase);
}

async function streamToBuffer(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
