/**
 * This system's signing keys while it runs: the current key pair, and after a rotation the previous
 * public key, still accepted by others until the end of the grace period. Everything that signs
 * (feed deliveries, this system's tokens) reads the current key from here, so a rotation takes
 * effect at once.
 */
import {
  abandonRotation,
  completeRotation,
  loadOrCreateKeyPair,
  loadPreviousKey,
  prepareRotation,
  preparedRotation,
  type KeyPair,
  type PreviousKey,
} from '../../../identity/keys.js';

export class SystemKeys {
  private pair: KeyPair;
  private previousKey: PreviousKey | null;

  constructor(private readonly dir: string) {
    this.pair = loadOrCreateKeyPair(dir);
    this.previousKey = loadPreviousKey(dir);
  }

  get current(): KeyPair {
    return this.pair;
  }

  /** The key replaced by the last rotation, while it is still accepted. */
  get previous(): PreviousKey | null {
    if (this.previousKey !== null && this.previousKey.validUntil.getTime() <= Date.now()) this.previousKey = null;
    return this.previousKey;
  }

  /** A new key pair, written beside the current one; not in use until `complete`. */
  prepare(): KeyPair {
    return prepareRotation(this.dir);
  }

  /** A key prepared before a crash, if any. */
  prepared(): KeyPair | null {
    return preparedRotation(this.dir);
  }

  complete(previousValidUntil: Date): void {
    const previous = this.pair;
    this.pair = completeRotation(this.dir, previousValidUntil);
    this.previousKey = { publicKeyPem: previous.publicKeyPem, fingerprint: previous.fingerprint, validUntil: previousValidUntil };
  }

  abandon(): void {
    abandonRotation(this.dir);
  }
}
