/**
 * The administrators' console end to end, in headless Chromium from Debian (/usr/bin/chromium, driven
 * by playwright-core; no downloaded browser), against the three live demo systems and the gateway:
 * two administrators of two systems, in two browser contexts, carry a migration request from the
 * request to the approval to the visitor appearing on both sides — each side updated live, without
 * reloading — and a suspension that removes it. With MCX_SCREENSHOTS=<dir> it also saves the
 * screenshots of the main screens (docs/console-*.png).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestTopology } from '../support/harness.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SHOTS = process.env.MCX_SCREENSHOTS ?? null;
const LIVE_MS = 15_000;

describe('the console in a browser', () => {
  const t = new TestTopology('sqlite');
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let north: Page;
  let south: Page;
  const errors: string[] = [];

  const url = (hash = '') => `${t.topology.gatewayUrl}/console/${hash}`;
  const shot = async (page: Page, name: string) => {
    if (SHOTS === null) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `console-${name}.png`) });
  };
  const open = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(LIVE_MS);
    page.on('pageerror', (error) => errors.push(error.message));
    return page;
  };
  const go = async (page: Page, screen: string) => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: new RegExp(`^${screen}( \\d+ waiting)?$`) }).click();
    await expect.poll(() => page.url()).toContain('#');
  };

  beforeAll(async () => {
    await t.startDemo();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    // A joint group for the joint-groups screen (its own tests: test/integration/joint-groups.test.ts).
    const admin = await t.token('north', 'admin');
    const southAdmin = await t.token('south', 'admin');
    expect((await t.gateway(`mutation { south { setRequestPolicy(kind: "group.provide", partner: "north", policy: { mode: "automatic" }) { mode } } }`, { token: southAdmin })).body.errors).toBeUndefined();
    const members = (await t.gateway(`{ north { users(organisationId: "north-fire", limit: 3) { mcServiceIds { mcptt } } } }`, { token: admin })).body.data!.north.users as Array<{ mcServiceIds: { mcptt: string } }>;
    const created = await t.gateway(
      `mutation { north { createJointGroup(groupId: "sip:joint-flood@mcptt.north.example", input: { name: "Flood response", services: [MCPTT], priority: 5, memberLimit: 20 }, members: [${members.map((m) => `{ system: "north", mcServiceId: "${m.mcServiceIds.mcptt}" }`).join(' ')}], provideTo: [{ partner: "south" }]) { groupId } } }`,
      { token: admin },
    );
    expect(created.body.errors).toBeUndefined();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t.stop();
  });

  it('serves the console from the gateway, with nothing from elsewhere', async () => {
    const page = await open();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const response = await page.goto(url());
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("default-src 'self'");
    await expect.poll(() => page.getByLabel('System').locator('option').count()).toBe(3);
    await shot(page, 'sign-in');
    expect(requested.every((r) => r.startsWith(t.topology.gatewayUrl) || r.startsWith('data:'))).toBe(true);
    // A wrong password: a clear message, no token.
    await page.getByLabel('System').selectOption('north');
    await page.getByLabel('Username').fill('admin@north');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('unknown username or wrong password');
  });

  it('two administrators sign in, one of them with the keyboard alone', async () => {
    north = await open();
    await north.goto(url());
    await north.getByLabel('System').selectOption('north');
    await north.getByLabel('Username').fill('admin@north');
    await north.getByLabel('Password').fill('north-admin-demo');
    await north.getByRole('button', { name: 'Sign in' }).click();
    await north.getByRole('heading', { name: /Waiting for you/ }).waitFor();

    south = await open();
    await south.goto(url());
    await expect.poll(() => south.getByLabel('System').locator('option').count()).toBe(3);
    await south.getByLabel('System').focus();
    await south.keyboard.press('End'); // the last system… then up to south
    await south.getByLabel('System').selectOption('south');
    await south.keyboard.press('Tab');
    await south.keyboard.type('admin@south');
    await south.keyboard.press('Tab');
    await south.keyboard.type('south-admin-demo');
    await south.keyboard.press('Enter');
    await south.getByRole('heading', { name: /Waiting for you/ }).waitFor();
    expect(await south.locator('.brand strong').textContent()).toBe('south');
    // The screens are links: reachable with Tab and Enter.
    await south.getByRole('link', { name: 'Partners', exact: true }).focus();
    await south.keyboard.press('Enter');
    await south.getByRole('heading', { name: 'Partners', exact: true }).waitFor();
  });

  it('north lets south ask for migration, editing what it grants south', async () => {
    await go(north, 'Partners');
    const card = north.getByRole('article', { name: 'Agreement with south' });
    await card.getByRole('button', { name: 'Edit what we grant…' }).click();
    await card.getByLabel('MIGRATION_REQUEST', { exact: true }).check();
    await card.getByLabel('MIGRATION_REQUEST organisations').fill('south-border');
    await card.getByLabel('MIGRATION_REQUEST services').fill('MCPTT, MCDATA');
    await shot(north, 'partners');
    await card.getByRole('button', { name: 'Save grants' }).click();
    await expect.poll(() => card.textContent(), { timeout: LIVE_MS }).toContain('MIGRATION_REQUEST');
    // South's console shows what north grants it now (live: north's grants message arrives through its feed).
    const atSouth = south.getByRole('article', { name: 'Agreement with north' });
    await expect.poll(() => atSouth.textContent(), { timeout: LIVE_MS }).toMatch(/north grants us.*MIGRATION_REQUEST/);
  });

  let visitor = '';

  it('south asks; north sees it arrive live and approves; the visitor appears on both sides', async () => {
    await go(north, 'Inbox');
    await go(south, 'Visitors');
    await south.getByRole('button', { name: 'Ask a partner to authorise our users…' }).click();
    const form = south.getByRole('form', { name: 'Request migration' });
    await expect.poll(() => form.getByLabel('Partner').locator('option').count()).toBeGreaterThan(1);
    await form.getByLabel('Partner').selectOption('north');
    const choice = form.getByRole('checkbox', { name: /South Border Police/ }).first();
    await choice.waitFor();
    visitor = /\b(south-u\d+)\b/.exec((await choice.locator('..').textContent()) ?? '')![1]!;
    await choice.check();
    await form.getByRole('button', { name: 'Send request' }).click();
    await expect.poll(() => form.getByRole('status').textContent()).toContain('Request sent');

    // North: the request arrives in the inbox without a reload.
    const row = north.getByRole('row', { name: /Request / }).filter({ hasText: 'authorise 1 user to migrate' });
    await row.waitFor({ timeout: LIVE_MS });
    expect(await row.textContent()).toContain(visitor);
    await shot(north, 'inbox');
    await row.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => north.getByText('Nothing waits for a decision.').count(), { timeout: LIVE_MS }).toBe(1);

    // South: its user is authorised at north, live.
    const atSouth = south.getByRole('row', { name: `Our user ${visitor}` });
    await atSouth.waitFor({ timeout: LIVE_MS });
    expect(await atSouth.textContent()).toContain('ACTIVE');
    // North: the visitor is listed.
    await go(north, 'Visitors');
    const atNorth = north.getByRole('row', { name: `Visitor ${visitor}` });
    await atNorth.waitFor({ timeout: LIVE_MS });
    expect(await atNorth.textContent()).toContain('MCPTT');
    await shot(north, 'visitors');
    // And south's inbox says who approved it.
    await go(south, 'Inbox');
    await expect.poll(() => south.getByRole('table').first().textContent(), { timeout: LIVE_MS }).toContain('admin admin@north of north');
  });

  it('shows joint groups, the directory as south sees it, and the audit (exported as CSV)', async () => {
    await go(north, 'Joint groups');
    const group = north.getByRole('article', { name: 'Joint group Flood response' });
    await group.waitFor();
    await expect.poll(() => group.textContent(), { timeout: LIVE_MS }).toContain('south (accepted');
    expect(await group.textContent()).toContain('3 of 20');
    await shot(north, 'joint-groups');

    await go(north, 'As partners see us');
    await north.getByLabel('As seen by').selectOption('south');
    await expect.poll(() => north.getByRole('table', { name: 'Users as seen' }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await north.getByRole('table', { name: 'Users as seen' }).textContent()).toContain('hidden'); // no phones for south
    await shot(north, 'directory');

    await go(north, 'Audit');
    const table = north.getByRole('table', { name: 'Audit entries' });
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(3);
    await north.getByLabel('Search').fill('request.decide');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await shot(north, 'audit');
    const [download] = await Promise.all([north.waitForEvent('download'), north.getByRole('button', { name: 'Export CSV' }).click()]);
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(path, 'utf8').split('\r\n');
    expect(csv[0]).toBe('"id","at","actorSystem","actorKind","actorSubject","action","target","result","code","detail"');
    expect(csv[1]).toContain('"request.decide"');
    expect(csv[1]).toContain('"admin@north"');
  });

  it("north suspends the agreement: the visitor is gone on both sides, and south can no longer ask north", async () => {
    await go(north, 'Partners');
    const card = north.getByRole('article', { name: 'Agreement with south' });
    await card.getByRole('button', { name: 'Suspend…' }).click();
    await card.getByLabel('Reason to suspend').fill('exercise paused');
    await card.getByRole('button', { name: 'Suspend', exact: true }).click();
    await expect.poll(() => card.textContent(), { timeout: LIVE_MS }).toContain('SUSPENDED');

    await go(north, 'Visitors');
    await expect.poll(() => north.getByText('No visitors.').count(), { timeout: LIVE_MS }).toBe(1);
    await go(south, 'Visitors');
    await expect.poll(() => south.getByText('None of our users are authorised elsewhere.').count(), { timeout: LIVE_MS }).toBe(1);
    await south.getByLabel('Show').selectOption('REVOKED');
    await south.getByRole('row', { name: `Our user ${visitor}` }).waitFor({ timeout: LIVE_MS });

    // South tries to ask again while suspended: refused, with the reason.
    await south.getByLabel('Show').selectOption('ACTIVE');
    await south.getByRole('button', { name: 'Ask a partner to authorise our users…' }).click();
    const form = south.getByRole('form', { name: 'Request migration' });
    // No active agreement: north is no longer offered.
    await expect.poll(() => form.getByLabel('Partner').locator('option').count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
