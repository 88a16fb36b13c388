import { InvalidParameterValueException, RequestEntityTooLargeException } from '../../errors/index.js';
import { inspectZip, type CodeStore } from '../../store/index.js';
import type { StoredBlob } from '../../store/blob-store.js';
import { optString } from '../wire/input.js';
import { acceptLocalCode } from './local-code.js';

export const MAX_ZIPPED_BYTES = 52_428_800;
export const MAX_UNZIPPED_BYTES = 262_144_000;
export const CORRUPT_ZIP_MESSAGE = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export interface AcceptedCode extends StoredBlob {
  unzippedSize: number;
}

/**
 * Takes a `Code`/`Content` structure (or an UpdateFunctionCode body): decodes ZipFile, checks it as an
 * untrusted archive and stores it content-addressed. S3 and image sources are refused with what to do instead.
 */
export async function acceptCode(code: Record<string, unknown>, store: CodeStore, localCodePaths = '', sandboxIsolated = false): Promise<AcceptedCode> {
  const local = acceptLocalCode(code, localCodePaths, sandboxIsolated);
  if (local) return local;
  if (optString(code, 'S3Bucket') !== undefined || optString(code, 'S3Key') !== undefined) {
    throw new InvalidParameterValueException(
      'S3Bucket/S3Key code locations are not supported by this Sluice server: it has no S3. Upload the .zip directly as ZipFile (aws lambda ... --zip-file fileb://function.zip).',
    );
  }
  if (optString(code, 'ImageUri') !== undefined) {
    throw new InvalidParameterValueException('Container images (ImageUri) are not supported by this Sluice server yet. Upload a .zip package as ZipFile instead.');
  }
  const b64 = code.ZipFile;
  if (b64 === undefined || b64 === null) {
    throw new InvalidParameterValueException('Please provide a source for function code.');
  }
  if (typeof b64 !== 'string' || !BASE64_RE.test(b64)) {
    throw new InvalidParameterValueException(CORRUPT_ZIP_MESSAGE);
  }
  const zip = Buffer.from(b64, 'base64');
  if (zip.length > MAX_ZIPPED_BYTES) {
    // AWS answers this one from its front door: 413, not a parameter error.
    throw new RequestEntityTooLargeException(`Zipped size must be smaller than ${MAX_ZIPPED_BYTES} bytes`);
  }
  const inspection = await inspectZip(zip, { maxUnzippedBytes: MAX_UNZIPPED_BYTES, maxEntries: 100_000, maxRatio: 1000 });
  if (!inspection.ok) {
    const p = inspection.problem;
    if (p.kind === 'too-large') throw new InvalidParameterValueException(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    if (p.kind === 'hostile') throw new InvalidParameterValueException(`${CORRUPT_ZIP_MESSAGE} Refused: ${p.detail}.`);
    throw new InvalidParameterValueException(CORRUPT_ZIP_MESSAGE);
  }
  return { ...store.put(zip), unzippedSize: inspection.unzippedBytes };
}
