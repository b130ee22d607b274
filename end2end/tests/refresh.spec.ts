// Short access tokens, refreshed before they expire. On a gateway whose access tokens live
// 65 s (the app refreshes a minute before expiry, so every 5 s here), two tabs of one browser
// stay signed in through several refreshes, including two they race for with one cookie, and
// keep chatting.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser } from '../support/api';
import { Gateway } from '../support/gateway';

test.skip(!!process.env.CONFAB_BASE_URL, 'starts its own gateway with short-lived access tokens');
test.setTimeout(90_000);

test('two tabs stay signed in through refreshes they race for, and keep chatting', async ({ browser }) => {
  const gateway = await Gateway.start(['--access-token-ttl-secs', '65']);
  try {
    const [alice, bob] = await Promise.all([registerUser(gateway.url, 'alice'), registerUser(gateway.url, 'bob')]);
    const context = await browser.newContext({ baseURL: gateway.url });
    const tabs = [await context.newPage(), await context.newPage()];
    const refreshes: number[] = [];
    for (const tab of tabs) {
      tab.on('response', (r) => r.url().endsWith('/api/session/refresh') && refreshes.push(r.status()));
    }
    const a = await ChatPage.signIn(tabs[0], alice);
    await tabs[1].goto('/rooms/general');
    const a2 = new ChatPage(tabs[1]);
    await a2.expectConnected();
    // Make both tabs refresh at the same moment with the same cookie: the stored access token
    // has expired and both reload at once. The server's grace for racing tabs keeps both in.
    await tabs[0].evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('confab.session')!);
      localStorage.setItem('confab.session', JSON.stringify({ ...stored, expiresAt: Date.now() - 1000 }));
    });
    await Promise.all(tabs.map((tab) => tab.reload()));
    await expect.poll(() => refreshes.length).toBeGreaterThanOrEqual(2);

    await expect.poll(() => refreshes.length, { timeout: 30_000, intervals: [1000] }).toBeGreaterThanOrEqual(4);
    expect(refreshes.every((status) => status === 200), `refresh answers: ${refreshes}`).toBe(true);
    for (const tab of tabs) await expect(tab).toHaveURL(/\/rooms\/general$/);

    const bobPage = await (await browser.newContext({ baseURL: gateway.url })).newPage();
    const b = await ChatPage.signIn(bobPage, bob);
    await a.sendAndConfirm('after the refreshes');
    await expect(b.message('after the refreshes')).toBeVisible();
    await expect(a2.message('after the refreshes')).toBeVisible();
    await b.sendAndConfirm('heard you');
    await expect(a2.message('heard you')).toBeVisible();
  } finally {
    gateway.stop();
  }
});
