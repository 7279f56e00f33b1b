import type { InputProblem } from '../failure-types';
import { isRecord } from '../input-rules';

interface FileFacts {
  fileName?: unknown;
  title?: unknown;
}

/** The transport a message certainly takes from its document type alone (`digital`/`print` are DPI, `digital_dpv` DPV). */
export function transportOfDocumentType(documentType: unknown): 'DPI' | 'DPV' | undefined {
  if (documentType === 'digital' || documentType === 'print') return 'DPI';
  if (documentType === 'digital_dpv') return 'DPV';
  return undefined;
}

/**
 * The IP's per-file rules that depend on the transport (`NextMoveValidator.validateFile` and `.validate`), checked by
 * Ferje before anything is uploaded. A file's title is what Ferje sends as the part/disposition name; without one
 * Ferje would fall back to the file name, which would hide the rule the IP enforces, so where the IP requires a
 * title Ferje requires it from the caller:
 * - DPV: every file needs a title (`MissingFileTitleException`).
 * - DPI: every file other than the primary document (`hoveddokument`) and the metadata files (the values of
 *   `digital.metadataFiler`) needs a title (`MissingFileTitleException`).
 * - DPI `digital`: every file named in `metadataFiler`, as key or value, must be one of the files (the IP answers
 *   404 `FileNotFoundException` at send).
 * Problems name paths and rules, never file names or titles.
 */
export function transportFileProblems(
  files: FileFacts[],
  documentType: unknown,
  businessMessage: unknown,
  serviceIdentifier: string | undefined,
): InputProblem[] {
  const problems: InputProblem[] = [];
  const business = isRecord(businessMessage) ? businessMessage : {};
  const names = new Set(files.map((f) => f.fileName).filter((n): n is string => typeof n === 'string'));
  const metadata = documentType === 'digital' ? business.metadataFiler : undefined;
  const metadataValues = new Set<string>();
  if (metadata !== undefined) {
    if (!isRecord(metadata) || Object.entries(metadata).some(([, v]) => typeof v !== 'string'))
      problems.push({ path: '/businessMessage/metadataFiler', problem: 'must map file names to file names' });
    else {
      for (const [key, value] of Object.entries(metadata)) {
        metadataValues.add(value as string);
        if (!names.has(key) || !names.has(value as string))
          problems.push({ path: '/businessMessage/metadataFiler', problem: 'must name only files of the message' });
      }
    }
  }
  const titled = (f: FileFacts) => typeof f.title === 'string' && f.title.trim() !== '';
  files.forEach((file, i) => {
    if (titled(file)) return;
    if (serviceIdentifier === 'DPV')
      problems.push({ path: `/files/${i}/title`, problem: 'is required for DPV (every file needs a title)' });
    else if (
      serviceIdentifier === 'DPI' &&
      file.fileName !== business.hoveddokument &&
      !metadataValues.has(file.fileName as string)
    )
      problems.push({
        path: `/files/${i}/title`,
        problem: 'is required for DPI files other than the main document and metadata files',
      });
  });
  return [...new Map(problems.map((p) => [`${p.path} ${p.problem}`, p])).values()];
}

/**
 * The fields the IP requires of a DPI `digital` business message (`DpiDigitalMessage`; refused with 400
 * `ConstraintViolationException`): `sikkerhetsnivaa` 3 or 4, `tittel`, `spraak`, and `digitalPostInfo` with
 * `virkningsdato` (yyyy-MM-dd) and `aapningskvittering` (boolean).
 */
export function digitalMessageProblems(businessMessage: unknown): InputProblem[] {
  const b = isRecord(businessMessage) ? businessMessage : {};
  const problems: InputProblem[] = [];
  if (b.sikkerhetsnivaa !== 3 && b.sikkerhetsnivaa !== 4)
    problems.push({ path: '/businessMessage/sikkerhetsnivaa', problem: 'must be 3 or 4' });
  if (typeof b.tittel !== 'string' || b.tittel.trim() === '')
    problems.push({ path: '/businessMessage/tittel', problem: 'is required for digital' });
  if (typeof b.spraak !== 'string' || !/^[a-z]{2}$/i.test(b.spraak))
    problems.push({ path: '/businessMessage/spraak', problem: 'must be an ISO-639-1 language code' });
  const info = b.digitalPostInfo;
  if (!isRecord(info)) problems.push({ path: '/businessMessage/digitalPostInfo', problem: 'is required for digital' });
  else {
    if (typeof info.virkningsdato !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(info.virkningsdato))
      problems.push({ path: '/businessMessage/digitalPostInfo/virkningsdato', problem: 'must be a date (yyyy-MM-dd)' });
    if (typeof info.aapningskvittering !== 'boolean')
      problems.push({ path: '/businessMessage/digitalPostInfo/aapningskvittering', problem: 'must be true or false' });
  }
  return problems;
}
