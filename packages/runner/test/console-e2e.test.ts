import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import packagedChromium from '@sparticuz/chromium';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TOKENS, untilStateOf, type ApiStack } from './api-harness.js';

/**
 * The operator console in a real browser: headless Chromium driven by playwright-core, against a running
 * runner (HTTP server on a free port) with the QuickBooks Online and Procore sandboxes. Log in, filter Failed
 * to Export, fix a check number, export, see it synced. Screenshots go to test-results/console/.
 *
 * The browser comes from npm, not from the system: `@sparticuz/chromium` (a devDependency) ships a Linux x64
 * Chromium inside the package and unpacks it to the temp dir on first use, so `npm ci && npm test` needs no
 * apt package and no download. `LEDGERLINK_CHROMIUM=/path/to/chrome` uses another browser instead (a laptop
 * that is not Linux x64).
 */

const OVERRIDE = process.env.LEDGERLINK_CHROMIUM;
const SHOTS = resolve(import.meta.dirname, '../test-results/console');

let stack: ApiStack;
let context: BrowserContext;
let page: Page;
let profile: string;
let executable: string;
const pageErrors: string[] = [];

/** The Chromium to launch: the override, or the one `@sparticuz/chromium` ships (unpacked on first use). */
async function chromiumExecutable(): Promise<string> {
  if (OVERRIDE !== undefined) {
    if (!existsSync(OVERRIDE)) throw new Error(`LEDGERLINK_CHROMIUM=${OVERRIDE}: no such file; unset it to use the Chromium from @sparticuz/chromium`);
    return OVERRIDE;
  }
  if (platform() !== 'linux' || arch() !== 'x64') {
    throw new Error(
      `the Chromium shipped by @sparticuz/chromium runs on Linux x64 only (this is ${platform()} ${arch()}): ` +
        'set LEDGERLINK_CHROMIUM to an installed Chrome or Chromium, e.g. LEDGERLINK_CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"',
    );
  }
  try {
    return await packagedChromium.executablePath();
  } catch (error) {
    throw new Error(`@sparticuz/chromium could not unpack its Chromium (${(error as Error).message}): run npm ci, or set LEDGERLINK_CHROMIUM`, { cause: error });
  }
}

/** The executables of the running processes started with this profile (Linux /proc): what was really launched. */
function launchedExecutables(profileDir: string): string[] {
  const found = new Set<string>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(profileDir)) found.add(readlinkSync(`/proc/${pid}/exe`));
    } catch {
      // the process ended while we looked
    }
  }
  return [...found];
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

describe('operator console (headless Chromium)', () => {
  beforeAll(async () => {
    executable = await chromiumExecutable();
    mkdirSync(SHOTS, { recursive: true });
    stack = await startApiStack();
    profile = mkdtempSync(join(tmpdir(), 'll-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // The wrong-token login answers 401 on purpose; anything else logged as an error is a fault.
      if (message.type() === 'error' && !/status of 401/.test(message.text())) pageErrors.push(message.text());
    });
  }, 90_000);
  afterAll(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await stack?.close();
  });

  it('drives the Chromium shipped by the npm package, not a system browser', () => {
    if (OVERRIDE !== undefined) {
      expect(executable).toBe(OVERRIDE);
      return;
    }
    expect(executable).toBe(join(tmpdir(), 'chromium'));
    // What the kernel says was started for this test's profile: the unpacked npm binary, and nothing else.
    expect(launchedExecutables(profile)).toEqual([executable]);
  });

  it('logs in, filters Failed to Export, fixes a check number, exports, and shows it synced', async () => {
    const failed = await stack.failedRecord('acme');
    const record = failed.record as { vendor: { name: string }; checkNumber: string };
    // A second failed record in the list, so the search filter has something to leave out.
    await stack.failedRecord('acme');

    await page.goto(stack.url);
    await page.getByTestId('login-form').waitFor();
    await shot('01-login');

    await page.getByTestId('token').fill('not-a-token');
    await page.getByTestId('login').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/LL_API_UNAUTHENTICATED/);

    await page.getByTestId('token').fill(TOKENS.standard);
    await page.getByTestId('login').click();
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain('standard@example.test');

    // Failed to Export is the first tab and the one shown first.
    const firstTab = page.locator('#tabs button').first();
    expect(await firstTab.getAttribute('data-testid')).toBe('tab-failed');
    expect(await firstTab.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('[data-testid="record-row"][data-state="failed"]').count()).toBe(2);
    await shot('02-failed-to-export');

    await page.getByTestId('filter-q').fill(record.vendor.name);
    await page.getByTestId('search').click();
    await expect.poll(() => page.getByTestId('record-row').count()).toBe(1);
    const row = page.locator(`[data-testid="record-row"][data-id="${failed.id}"]`);
    await row.click();
    await page.getByTestId('edit-form').waitFor();
    expect(await page.getByTestId('detail-state').textContent()).toBe('failed');
    expect(await page.getByTestId('erp-answer').textContent()).toMatch(/The ERP said/);
    expect(await page.getByTestId('edit-checkNumber').inputValue()).toBe(record.checkNumber);
    await shot('03-record-failed');

    await page.getByTestId('edit-checkNumber').fill('88001');
    await page.getByTestId('save-export').click();
    await expect.poll(() => page.getByTestId('flash').textContent()).toMatch(/Saved checkNumber; exporting again/);
    const synced = await untilStateOf(stack.runner, failed.id, 'synced');
    expect(stack.qbo.payments().find((payment) => payment.erpId === synced.targetId)?.checkNumber).toBe('88001');

    // The console sees it synced by itself (it polls), in the open record and under the Synced tab.
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 15_000 }).toBe('synced');
    const history = await page.getByTestId('history').textContent();
    expect(history).toContain('edited by standard@example.test');
    expect(history).toContain('re-export by standard@example.test');
    await page.getByTestId('tab-synced').click();
    await expect.poll(() => page.locator(`[data-testid="record-row"][data-id="${failed.id}"][data-state="synced"]`).count()).toBe(1);
    expect(await page.locator(`[data-testid="record-row"][data-id="${failed.id}"] [data-testid="cell-check"]`).textContent()).toBe('88001');

    // Lanes per tenant, and the chart of exports.
    expect(await page.getByTestId('lane-acme').textContent()).toMatch(/rate \d+ per .*queued 0/);
    expect(await page.getByTestId('lane-acme-throttled').textContent()).toBe('not throttled');
    expect(Number(await page.getByTestId('export-chart').getAttribute('data-total'))).toBeGreaterThan(0);
    await shot('04-synced');
    expect(pageErrors).toEqual([]);
  });

  it('shows a failed requisition with its own columns under the record-type filter, and exports it again as it is', async () => {
    const { item, requisition, vendorErpId } = await stack.failedRequisition('acme');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByTestId('token').fill(TOKENS.standard);
    await page.getByTestId('login').click();
    await page.getByTestId('who').waitFor();
    // The search box still holds the first test's vendor: clear it, then pick the record type.
    await page.getByTestId('filter-q').fill('');
    await page.getByTestId('filter-entity').selectOption('requisition');
    await expect.poll(() => page.getByTestId('record-row').count()).toBe(1);
    const row = page.locator(`[data-testid="record-row"][data-id="${item.id}"]`);
    expect(await row.locator('[data-testid="cell-entity"]').textContent()).toBe('Requisition');
    expect(await row.locator('[data-testid="cell-vendor"]').textContent()).toBe(requisition.vendor.name);
    expect(await row.locator('[data-testid="cell-number"]').textContent()).toBe(requisition.number);
    await row.click();
    await page.getByTestId('export-again').waitFor();
    expect(await page.getByTestId('detail-title').textContent()).toBe(`Requisition ${requisition.id}`);
    expect(await page.getByTestId('edit-form').count()).toBe(0);
    await shot('05-requisition-failed');

    // The vendor is created in QuickBooks; the accountant exports the requisition again as it is.
    stack.qbo.seed({ vendors: [{ id: vendorErpId, name: requisition.vendor.name }] });
    await page.getByTestId('save-export').click();
    await expect.poll(() => page.getByTestId('flash').textContent()).toMatch(/Exporting again/);
    const synced = await untilStateOf(stack.runner, item.id, 'synced');
    expect(stack.qbo.bills?.().filter((bill) => bill.number === requisition.number).map((bill) => bill.erpId)).toEqual([synced.targetId]);
    await expect.poll(() => page.getByTestId('detail-state').textContent(), { timeout: 15_000 }).toBe('synced');
    await page.getByTestId('filter-entity').selectOption('');
    expect(pageErrors).toEqual([]);
  });

  it('shows an approver the approval actions and the on-demand import; a read-only token gets neither', async () => {
    const waiting = await stack.intake('appr', stack.payment());
    await page.getByRole('button', { name: 'Log out' }).click();
    // The new session's first lists arrive late (as on a loaded server): what the old session showed must not
    // stay clickable meanwhile. A stale tab acted for the old session, and the new one opened on Failed.
    let held = 0;
    await page.route(/\/(tenants|records)(\?|$)/, async (route) => {
      held += 1;
      if (held <= 2) await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue();
    });
    await page.getByTestId('token').fill(TOKENS.approver);
    await page.getByTestId('login').click();
    expect(await page.getByTestId('record-row').count()).toBe(0);
    await page.getByTestId('tab-awaiting_approval').click();
    await page.unroute(/\/(tenants|records)(\?|$)/);
    await page.locator(`[data-testid="record-row"][data-id="${waiting.id}"]`).click();
    await page.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('flash').textContent()).toMatch(/Approved/);
    await untilStateOf(stack.runner, waiting.id, 'synced');
    await page.getByTestId('import-acme').click();
    await expect.poll(() => page.getByTestId('flash').textContent(), { timeout: 15_000 }).toMatch(/Import for acme: \d+ read/);
    await shot('06-approver');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByTestId('token').fill(TOKENS.read_only);
    await page.getByTestId('login').click();
    await page.getByTestId('who').waitFor();
    await page.locator('[data-testid="record-row"]').first().click();
    await page.getByTestId('history').waitFor();
    expect(await page.getByTestId('edit-form').count()).toBe(0);
    expect(await page.getByTestId('import-acme').count()).toBe(0);
    await shot('07-read-only');
    expect(pageErrors).toEqual([]);
  });
});
