/**
 * Ed25519 key pairs of systems and gateways. A key pair is created on first start in the owner's
 * key folder; the private key file is readable by the owner only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
