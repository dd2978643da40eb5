/**
 * A key rotation statement: "system S now signs with key K; my previous key stays valid until T",
 * signed with the previous key. A partner that pinned the previous key accepts the new one because
 * of it (and the new key alone cannot vouch for itself).
 */
import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify } from 'jose';
import { ErrorCode, McxError } from '../domain/errors.js';

const TYPE = 'mcx-key-rotation+jws';

export interface Rotation {
  system: string;
  publicKeyPem: string;
  /** Until when the previous key is still accepted (ISO-8601). */
  previousValidUntil: string;
}

export async function signRotation(previousKey: KeyObject, rotation: Rotation): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(rotation))).setProtectedHeader({ alg: 'EdDSA', typ: TYPE }).sign(previousKey);
}

/** The rotation, when `certificate` is signed with `previousKey` and speaks of `system`; MESSAGE_INVALID otherwise. */
export async function verifyRotation(certificate: string, previousKey: KeyObject, system: string): Promise<Rotation> {
  try {
    const { payload, protectedHeader } = await compactVerify(certificate, previousKey, { algorithms: ['EdDSA'] });
    if (protectedHeader.typ !== TYPE) throw new Error('type');
    const rotation = JSON.parse(new TextDecoder().decode(payload)) as Rotation;
    if (rotation.system !== system || typeof rotation.publicKeyPem !== 'string' || Number.isNaN(Date.parse(rotation.previousValidUntil))) throw new Error('shape');
    return rotation;
  } catch {
    throw new McxError(ErrorCode.MESSAGE_INVALID, `the key rotation of ${system} is not signed with its pinned key`);
  }
}
