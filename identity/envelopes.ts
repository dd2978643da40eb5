/**
 * Signed messages between systems (a shared update, later requests and responses): a compact JWS
 * (EdDSA) over the whole message, signed with the sending system's key. The receiver checks it with
 * the sender's pinned key, that it is meant for itself, that it is recent, and (with its store) that
 * it has not seen the message id before: a replayed or tampered message is refused.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { ErrorCode, McxError } from '../domain/errors.js';

export const MESSAGE_MAX_AGE_S = 300;
const CLOCK_TOLERANCE_S = 5;
const TYPE = 'mcx-message+jws';

export interface Envelope<T> {
  /** Unique per message (not per retry of the same content): the receiver remembers it. */
  id: string;
  from: string;
  to: string;
  kind: string;
  /** Seconds since the epoch. */
  sentAt: number;
  body: T;
}

export async function signEnvelope<T>(key: KeyObject, message: { from: string; to: string; kind: string; body: T }): Promise<string> {
  const envelope: Envelope<T> = { from: message.from, to: message.to, kind: message.kind, body: message.body, id: randomUUID(), sentAt: Math.floor(Date.now() / 1000) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(envelope))).setProtectedHeader({ alg: 'EdDSA', typ: TYPE }).sign(key);
}

/** The message as it claims to be, read before the signature is checked (to pick the key); null when it is no MCX message. */
function peek(token: string): Partial<Envelope<unknown>> | null {
  try {
    if (decodeProtectedHeader(token).typ !== TYPE) return null;
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Partial<Envelope<unknown>>) : null;
  } catch {
    return null;
  }
}

/** The claimed sender, read before the signature is checked (to pick the key). */
export function claimedSender(token: string): string {
  const from = peek(token)?.from;
  if (typeof from !== 'string') throw new McxError(ErrorCode.MESSAGE_INVALID, 'not a signed MCX message');
  return from;
}

/** The claimed body, unverified: only to find the key to verify the message with. */
export function peekEnvelopeBody<T>(token: string): Partial<T> | null {
  const body = peek(token)?.body;
  return typeof body === 'object' && body !== null ? (body as Partial<T>) : null;
}

export async function verifyEnvelope<T>(
  token: string,
  options: { senderKey: KeyObject; sender: string; receiver: string; kind: string; now?: number },
): Promise<Envelope<T>> {
  let envelope: Envelope<T>;
  try {
    const { payload, protectedHeader } = await compactVerify(token, options.senderKey, { algorithms: ['EdDSA'] });
    if (protectedHeader.typ !== TYPE) throw new Error('type');
    envelope = JSON.parse(new TextDecoder().decode(payload)) as Envelope<T>;
    if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) throw new Error('shape');
  } catch {
    throw new McxError(ErrorCode.MESSAGE_INVALID, `the message is not signed with ${options.sender}'s pinned key, or was changed after signing`);
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (envelope.from !== options.sender || envelope.to !== options.receiver || envelope.kind !== options.kind || typeof envelope.id !== 'string') {
    throw new McxError(ErrorCode.MESSAGE_INVALID, `the message is not a ${options.kind} from ${options.sender} to ${options.receiver}`);
  }
  if (typeof envelope.sentAt !== 'number' || envelope.sentAt < now - MESSAGE_MAX_AGE_S || envelope.sentAt > now + CLOCK_TOLERANCE_S) {
    throw new McxError(ErrorCode.MESSAGE_STALE, `the message was sent at ${envelope.sentAt}, outside the ${MESSAGE_MAX_AGE_S} s window`);
  }
  return envelope;
}
