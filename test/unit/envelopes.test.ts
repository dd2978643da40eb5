import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../domain/errors.js';
import { claimedSender, MESSAGE_MAX_AGE_S, signEnvelope, verifyEnvelope, type Envelope } from '../../identity/envelopes.js';
import { expectMcxError, expectMcxErrorSync } from '../support/fixtures.js';

const north = generateKeyPairSync('ed25519');
const mallory = generateKeyPairSync('ed25519');

const KIND = 'feed.batch';
const BODY = { afterSeq: 4, entries: [{ seq: 7, entity: 'user', entityId: 'u1', op: 'delete', payload: null }] };

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs an arbitrary payload the way signEnvelope does (for crafting stale or odd messages). */
async function craft(key: KeyObject, payload: unknown, typ = 'mcx-message+jws'): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'EdDSA', typ }).sign(key);
}

function envelope(overrides: Partial<Envelope<unknown>> = {}): Envelope<unknown> {
  return { id: 'b3c3f1c2-0c1e-4b8e-9a5d-6c1f6f3b1a00', from: 'north', to: 'south', kind: KIND, sentAt: nowS(), body: BODY, ...overrides };
}

const verifyOpts = (overrides: Partial<Parameters<typeof verifyEnvelope>[1]> = {}) => ({
  senderKey: north.publicKey,
  sender: 'north',
  receiver: 'south',
  kind: KIND,
  ...overrides,
});

describe('signEnvelope / verifyEnvelope', () => {
  it('round trip: a message signed with the sender key verifies and gives back the envelope', async () => {
    const before = nowS();
    const token = await signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY });
    const after = nowS();
    expect(token.split('.')).toHaveLength(3);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', typ: 'mcx-message+jws' });

    const message = await verifyEnvelope<typeof BODY>(token, verifyOpts());
    expect(message.from).toBe('north');
    expect(message.to).toBe('south');
    expect(message.kind).toBe(KIND);
    expect(message.body).toEqual(BODY);
    expect(message.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(message.sentAt).toBeGreaterThanOrEqual(before);
    expect(message.sentAt).toBeLessThanOrEqual(after);
    expect(Number.isInteger(message.sentAt)).toBe(true);
  });

  it('every envelope has a fresh id, even for the same content', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY })),
    );
    const ids = await Promise.all(tokens.map(async (t) => (await verifyEnvelope(t, verifyOpts())).id));
    expect(new Set(ids).size).toBe(20);
    expect(new Set(tokens).size).toBe(20);
  });

  it('a message signed with another key is refused (MESSAGE_INVALID)', async () => {
    const token = await signEnvelope(mallory.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY });
    await expectMcxError(verifyEnvelope(token, verifyOpts()), ErrorCode.MESSAGE_INVALID);
    // and checking against the wrong pinned key also fails
    const genuine = await signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY });
    await expectMcxError(verifyEnvelope(genuine, verifyOpts({ senderKey: mallory.publicKey })), ErrorCode.MESSAGE_INVALID);
  });

  it('a payload changed after signing is refused (MESSAGE_INVALID)', async () => {
    const token = await signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY });
    const [header, payload, signature] = token.split('.');
    const original = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Envelope<typeof BODY>;
    const tampered = { ...original, body: { ...original.body, afterSeq: 0 } };
    await expectMcxError(verifyEnvelope(`${header}.${b64(tampered)}.${signature}`, verifyOpts()), ErrorCode.MESSAGE_INVALID);
    // a changed header is refused too
    const otherHeader = b64({ alg: 'EdDSA', typ: 'mcx-message+jws', kid: 'x' });
    await expectMcxError(verifyEnvelope(`${otherHeader}.${payload}.${signature}`, verifyOpts()), ErrorCode.MESSAGE_INVALID);
  });

  it('a garbled or unsigned token is refused (MESSAGE_INVALID)', async () => {
    const token = await signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY });
    const [header, payload] = token.split('.');
    await expectMcxError(verifyEnvelope(`${header}.${payload}.`, verifyOpts()), ErrorCode.MESSAGE_INVALID);
    await expectMcxError(verifyEnvelope('not-a-jws', verifyOpts()), ErrorCode.MESSAGE_INVALID);
    const none = `${b64({ alg: 'none', typ: 'mcx-message+jws' })}.${payload}.`;
    await expectMcxError(verifyEnvelope(none, verifyOpts()), ErrorCode.MESSAGE_INVALID);
  });

  it('a message for another receiver is refused (MESSAGE_INVALID)', async () => {
    const token = await signEnvelope(north.privateKey, { from: 'north', to: 'east', kind: KIND, body: BODY });
    await expectMcxError(verifyEnvelope(token, verifyOpts()), ErrorCode.MESSAGE_INVALID);
    await expect(verifyEnvelope(token, verifyOpts({ receiver: 'east' }))).resolves.toMatchObject({ to: 'east' });
  });

  it('a message claiming another sender is refused, even when signed with the pinned key (MESSAGE_INVALID)', async () => {
    const token = await signEnvelope(north.privateKey, { from: 'west', to: 'south', kind: KIND, body: BODY });
    await expectMcxError(verifyEnvelope(token, verifyOpts()), ErrorCode.MESSAGE_INVALID);
  });

  it('a message of another kind is refused (MESSAGE_INVALID)', async () => {
    const token = await signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: 'other.kind', body: BODY });
    await expectMcxError(verifyEnvelope(token, verifyOpts()), ErrorCode.MESSAGE_INVALID);
  });

  it('a signed message without a string id is refused (MESSAGE_INVALID)', async () => {
    const { id: _id, ...withoutId } = envelope();
    await expectMcxError(verifyEnvelope(await craft(north.privateKey, withoutId), verifyOpts()), ErrorCode.MESSAGE_INVALID);
    await expectMcxError(verifyEnvelope(await craft(north.privateKey, { ...withoutId, id: 42 }), verifyOpts()), ErrorCode.MESSAGE_INVALID);
  });

  it(`a message older than ${MESSAGE_MAX_AGE_S} s is stale (MESSAGE_STALE)`, async () => {
    const now = nowS();
    const old = await craft(north.privateKey, envelope({ sentAt: now - MESSAGE_MAX_AGE_S - 1 }));
    const error = await expectMcxError(verifyEnvelope(old, verifyOpts({ now })), ErrorCode.MESSAGE_STALE);
    expect(error.message).toContain(String(now - MESSAGE_MAX_AGE_S - 1));
    const veryOld = await craft(north.privateKey, envelope({ sentAt: now - 3600 }));
    await expectMcxError(verifyEnvelope(veryOld, verifyOpts()), ErrorCode.MESSAGE_STALE);
  });

  it(`a message exactly ${MESSAGE_MAX_AGE_S} s old is still accepted`, async () => {
    const now = nowS();
    const token = await craft(north.privateKey, envelope({ sentAt: now - MESSAGE_MAX_AGE_S }));
    await expect(verifyEnvelope(token, verifyOpts({ now }))).resolves.toMatchObject({ sentAt: now - MESSAGE_MAX_AGE_S });
  });

  it('a message from more than 5 s in the future is stale (MESSAGE_STALE); up to 5 s is tolerated', async () => {
    const now = nowS();
    const future = await craft(north.privateKey, envelope({ sentAt: now + 6 }));
    await expectMcxError(verifyEnvelope(future, verifyOpts({ now })), ErrorCode.MESSAGE_STALE);
    const farFuture = await craft(north.privateKey, envelope({ sentAt: now + 3600 }));
    await expectMcxError(verifyEnvelope(farFuture, verifyOpts()), ErrorCode.MESSAGE_STALE);
    const skewed = await craft(north.privateKey, envelope({ sentAt: now + 5 }));
    await expect(verifyEnvelope(skewed, verifyOpts({ now }))).resolves.toMatchObject({ sentAt: now + 5 });
  });

  it('the now option moves the acceptance window for a genuine signed message', async () => {
    const token = await signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY });
    const { sentAt } = await verifyEnvelope(token, verifyOpts());
    await expectMcxError(verifyEnvelope(token, verifyOpts({ now: sentAt + MESSAGE_MAX_AGE_S + 1 })), ErrorCode.MESSAGE_STALE);
    await expectMcxError(verifyEnvelope(token, verifyOpts({ now: sentAt - 6 })), ErrorCode.MESSAGE_STALE);
    await expect(verifyEnvelope(token, verifyOpts({ now: sentAt + MESSAGE_MAX_AGE_S }))).resolves.toMatchObject({ sentAt });
  });

  it('a signed message without a numeric sentAt is stale (MESSAGE_STALE)', async () => {
    const token = await craft(north.privateKey, envelope({ sentAt: String(nowS()) as unknown as number }));
    await expectMcxError(verifyEnvelope(token, verifyOpts()), ErrorCode.MESSAGE_STALE);
  });

  it('the signature is checked before the addressing: a forged stale message is MESSAGE_INVALID, not MESSAGE_STALE', async () => {
    const forged = await craft(mallory.privateKey, envelope({ sentAt: nowS() - 10 * MESSAGE_MAX_AGE_S }));
    await expectMcxError(verifyEnvelope(forged, verifyOpts()), ErrorCode.MESSAGE_INVALID);
  });
});

describe('claimedSender', () => {
  it('reads the claimed sender without checking the signature', async () => {
    const token = await signEnvelope(north.privateKey, { from: 'north', to: 'south', kind: KIND, body: BODY });
    expect(claimedSender(token)).toBe('north');
    const forged = await signEnvelope(mallory.privateKey, { from: 'west', to: 'south', kind: KIND, body: BODY });
    expect(claimedSender(forged)).toBe('west');
  });

  it('rejects strings that are not JWS (MESSAGE_INVALID)', () => {
    for (const token of ['', 'garbage', 'a.b.c', '...']) expectMcxErrorSync(() => claimedSender(token), ErrorCode.MESSAGE_INVALID);
  });

  it('rejects a JWS of another type (MESSAGE_INVALID)', async () => {
    const jwt = await craft(north.privateKey, envelope(), 'JWT');
    expectMcxErrorSync(() => claimedSender(jwt), ErrorCode.MESSAGE_INVALID);
  });

  it('rejects an envelope-typed JWS without a string from (MESSAGE_INVALID)', async () => {
    const { from: _from, ...noFrom } = envelope();
    expectMcxErrorSync(() => claimedSender(unsignedToken(noFrom)), ErrorCode.MESSAGE_INVALID);
    const numeric = await craft(north.privateKey, { ...noFrom, from: 7 });
    expectMcxErrorSync(() => claimedSender(numeric), ErrorCode.MESSAGE_INVALID);
    const notJson = `${b64({ alg: 'EdDSA', typ: 'mcx-message+jws' })}.${Buffer.from('not json').toString('base64url')}.sig`;
    expectMcxErrorSync(() => claimedSender(notJson), ErrorCode.MESSAGE_INVALID);
  });
});

/** An unsigned token with the envelope header (claimedSender does not look at the signature). */
function unsignedToken(payload: unknown): string {
  return `${b64({ alg: 'EdDSA', typ: 'mcx-message+jws' })}.${b64(payload)}.`;
}
