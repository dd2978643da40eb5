/** The console's pure parts: the inbox order, requests in words, CSV export. */
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../console/src/csv.js';
import { list } from '../../console/src/format.js';
import { byUrgency, describe as say, type PartnerRequest } from '../../console/src/requests.js';

const request = (over: Partial<PartnerRequest>): PartnerRequest => ({
  id: 'r',
  direction: 'inbound',
  partner: 'south',
  kind: 'group.members',
  status: 'PENDING',
  requester: { system: 'south', subject: 'admin@south' },
  handler: null,
  userCount: 1,
  userIds: ['u1'],
  services: null,
  at: null,
  validFrom: null,
  validUntil: null,
  approved: null,
  refused: null,
  decidedBy: null,
  reason: null,
  createdAt: '2026-12-01T10:00:00Z',
  decideBy: '2026-12-02T10:00:00Z',
  decidedAt: null,
  groupId: 'sip:g@north',
  groupName: null,
  operation: 'add',
  urgency: null,
  ...over,
});

describe('the console', () => {
  it('puts the most urgent first, then what expires first', () => {
    const items = [
      request({ id: 'routine', urgency: 'ROUTINE' }),
      request({ id: 'none-soon', kind: 'migration.authorise', decideBy: '2026-12-01T11:00:00Z' }),
      request({ id: 'emergency', urgency: 'EMERGENCY' }),
      request({ id: 'urgent-late', urgency: 'URGENT', decideBy: '2026-12-03T10:00:00Z' }),
      request({ id: 'urgent-soon', urgency: 'URGENT', decideBy: '2026-12-01T12:00:00Z' }),
      request({ id: 'none-late', kind: 'migration.authorise' }),
    ];
    expect(items.sort(byUrgency).map((r) => r.id)).toEqual(['emergency', 'urgent-soon', 'urgent-late', 'routine', 'none-soon', 'none-late']);
  });

  it('says what a request asks for', () => {
    expect(say(request({ userCount: 2 }))).toBe('add 2 members to joint group sip:g@north');
    expect(say(request({ kind: 'group.provide', groupName: 'Flood' }))).toBe('take part in joint group "Flood" (sip:g@north)');
    expect(say(request({ kind: 'migration.remove' }))).toBe('remove 1 user from their migration authorisation');
    expect(say(request({ kind: 'services.toggle', services: ['MCPTT'] }))).toBe("set visitors' services to MCPTT now");
    expect(list(null)).toBe('all');
    expect(list([])).toBe('none');
  });

  it('writes CSV that spreadsheets read as data', () => {
    const csv = toCsv(['a', 'b'], [['say "hi", ok', null], ['=HYPERLINK("x")', 3]]);
    expect(csv).toBe('"a","b"\r\n"say ""hi"", ok",""\r\n"\'=HYPERLINK(""x"")","3"\r\n');
  });
});
