import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startBotApp, type BotApp } from '../../app/botApp';
import { silentLogger } from '../../src/logger';
import { approvedClaim } from '../support/consentClaims';
import { testConfig } from '../support/testStorage';

/**
 * The consent page in a real browser: headless Chromium (Debian's `chromium`, which .ci/run installs)
 * opens the link of an approval e-mail, the customer ticks the confirmation and denies, and the claim
 * becomes Rejected (Customer decline). Without a Chromium on the machine the test is skipped, and says so.
 */

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** CHROMIUM_PATH, Debian's /usr/bin/chromium, or `chromium` / `chromium-browser` on the PATH. */
function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) candidates.push(join(dir, 'chromium'), join(dir, 'chromium-browser'));
  return candidates.find((c): c is string => Boolean(c) && executable(c!));
}

/** The little of the DOM these checks read inside the page (the project compiles without the DOM's types). */
interface InPage {
  ownerDocument: { defaultView: { getComputedStyle(el: unknown): { backgroundColor: string } } };
  validity: { valueMissing: boolean };
}

const chromiumPath = findChromium();
if (!chromiumPath) {
  console.warn('SKIPPED test/services/consentBrowser.test.ts: no Chromium found (set CHROMIUM_PATH, or install Debian\'s "chromium" as .ci/run does).');
}
const describeWithChromium = chromiumPath ? describe : describe.skip;

describeWithChromium('the consent page in headless Chromium', () => {
  let app: BotApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startBotApp(testConfig({ DEMO_DATA: 'false', SWEEP_INTERVAL_SECONDS: '0' }), { log: silentLogger });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  test('the customer opens the link, sees the association, confirms and denies: the claim is Rejected (Customer decline)', async () => {
    const { claim, link } = await approvedClaim(app);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    try {
      const response = await page.goto(link);
      expect(response?.status()).toBe(200);
      await page.getByRole('heading', { level: 1, name: 'Review a partner association' }).waitFor();
      const main = page.getByRole('main');
      for (const fact of [
        'Fabrikam Consulting Ltd',
        'Microsoft 365',
        'Microsoft Teams',
        'Exchange Online',
        'fourthcoffee.example',
        claim.fields.customerTenantId!,
      ]) {
        expect(await main.textContent()).toContain(fact);
      }
      // The inline styles carry the CSP nonce: the browser applied them and reported no violation.
      const button = page.getByRole('button', { name: 'Deny this association' });
      expect(await button.evaluate((el: InPage) => el.ownerDocument.defaultView.getComputedStyle(el).backgroundColor)).toBe('rgb(164, 38, 44)');

      // Without the confirmation the browser does not send the form (the checkbox is required).
      await button.click();
      expect(await page.locator('#confirm').evaluate((el: InPage) => el.validity.valueMissing)).toBe(true);
      expect((await app.services.claimService.get(claim.id))!.status).toBe('Approved');

      await page.getByLabel(/I confirm that I want to deny consent to this association/).check();
      await Promise.all([page.waitForLoadState('load'), button.click()]);
      await page.getByRole('heading', { level: 1, name: 'You denied consent' }).waitFor();
      expect(await page.getByRole('main').textContent()).toContain(
        'You denied consent to the association of Fabrikam Consulting Ltd with fourthcoffee.example',
      );
      expect(cspViolations).toEqual([]);

      const after = (await app.services.claimService.get(claim.id))!;
      expect(after).toMatchObject({ status: 'Rejected', rejection: { reason: 'CustomerDecline', by: { kind: 'customer', id: 'dana@fourthcoffee.example' } } });
      expect(after.history.at(-1)).toMatchObject({ action: 'customerDecline', actor: { kind: 'customer', name: 'Dana Customer' } });

      // Back to the link from the e-mail: it has been used.
      const again = await page.goto(link);
      expect(again?.status()).toBe(409);
      await page.getByRole('heading', { level: 1, name: 'This link has already been used' }).waitFor();
    } finally {
      await context.close();
    }
  }, 60_000);

  test('a browser set to Chinese gets the page in zh-CN', async () => {
    const { link } = await approvedClaim(app);
    const context = await browser.newContext({ locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(link);
      await page.getByRole('heading', { level: 1, name: '查看合作伙伴关联' }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      expect(await page.getByRole('button', { name: '拒绝此关联' }).isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);
});
