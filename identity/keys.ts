/**
 * Ed25519 key pairs of systems and gateways. A key pair is created on first start in the owner's
 * key folder; the private key file is readable by the owner only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, McxError } from '../domain/errors.js';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  fingerprint: string;
}

export const PRIVATE_KEY_FILE = 'private-key.pem';
export const PUBLIC_KEY_FILE = 'public-key.pem';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A fingerprint people can compare over the phone: SHA-256 of the public key (SPKI DER), first
 * 160 bits in base32, in eight groups of four characters.
 */
export function fingerprintOf(publicKey: KeyObject): string {
  const digest = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
  const text = base32(digest.subarray(0, 20));
  return text.match(/.{4}/g)!.join('-');
}

export function publicKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new McxError(ErrorCode.BAD_USER_INPUT, 'not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new McxError(ErrorCode.BAD_USER_INPUT, `expected an Ed25519 public key, got ${key.asymmetricKeyType}`);
  }
  return key;
}

function pairFrom(privateKey: KeyObject): KeyPair {
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: fingerprintOf(publicKey),
  };
}

/** Loads the key pair from `dir`, creating it (mode 0600 for the private key) when absent. */
export function loadOrCreateKeyPair(dir: string): KeyPair {
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  const publicPath = join(dir, PUBLIC_KEY_FILE);
  if (existsSync(privatePath)) {
    const mode = statSync(privatePath).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new McxError(
        ErrorCode.INTERNAL,
        `private key ${privatePath} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`,
      );
    }
    return pairFrom(createPrivateKey(readFileSync(privatePath)));
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  chmodSync(privatePath, 0o600);
  const pair = pairFrom(privateKey);
  writeFileSync(publicPath, pair.publicKeyPem, { mode: 0o644 });
  return pair;
}

export function readPublicKeyFile(path: string): KeyObject {
  return publicKeyFromPem(readFileSync(path, 'utf8'));
}

/** After a rotation: the public key that was replaced, still accepted until `validUntil`. */
export const PREVIOUS_KEY_FILE = 'previous-public-key.json';

export interface PreviousKey {
  publicKeyPem: string;
  fingerprint: string;
  validUntil: Date;
}

/** The previous key of a rotation in `dir`, while it is still accepted (null otherwise). */
export function loadPreviousKey(dir: string, now = new Date()): PreviousKey | null {
  const path = join(dir, PREVIOUS_KEY_FILE);
  if (!existsSync(path)) return null;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { publicKeyPem: string; validUntil: string };
  const validUntil = new Date(saved.validUntil);
  if (validUntil.getTime() <= now.getTime()) return null;
  return { publicKeyPem: saved.publicKeyPem, fingerprint: fingerprintOf(publicKeyFromPem(saved.publicKeyPem)), validUntil };
}

export const NEXT_PRIVATE_KEY_FILE = 'private-key.next.pem';

/**
 * A rotation in two steps, so that a crash leaves one complete, known key pair: `prepareRotation`
 * writes the new private key beside the current one (0600); the owner then tells its partners (in its
 * store); `completeRotation` keeps the old public key as the previous key until `validUntil` and
 * renames the new key over the old one. `abandonRotation` removes a prepared key never announced.
 */
export function prepareRotation(dir: string): KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const path = join(dir, NEXT_PRIVATE_KEY_FILE);
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  chmodSync(path, 0o600);
  return pairFrom(privateKey);
}

/** The prepared key of a rotation that was not completed (after a crash), if any. */
export function preparedRotation(dir: string): KeyPair | null {
  const path = join(dir, NEXT_PRIVATE_KEY_FILE);
  return existsSync(path) ? pairFrom(createPrivateKey(readFileSync(path))) : null;
}

export function completeRotation(dir: string, validUntil: Date): KeyPair {
  const previous = loadOrCreateKeyPair(dir);
  const next = preparedRotation(dir);
  if (next === null) throw new McxError(ErrorCode.INTERNAL, `no prepared key in ${dir}`);
  writeFileSync(join(dir, PREVIOUS_KEY_FILE), JSON.stringify({ publicKeyPem: previous.publicKeyPem, validUntil: validUntil.toISOString() }), { mode: 0o644 });
  renameSync(join(dir, NEXT_PRIVATE_KEY_FILE), join(dir, PRIVATE_KEY_FILE));
  writeFileSync(join(dir, PUBLIC_KEY_FILE), next.publicKeyPem, { mode: 0o644 });
  return next;
}

export function abandonRotation(dir: string): void {
  rmSync(join(dir, NEXT_PRIVATE_KEY_FILE), { force: true });
}
