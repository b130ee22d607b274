// Scenario 6: markup in a message is text. Nothing runs, nothing is injected.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, uniqueName } from '../support/api';

const HOSTILE = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>', '<b onmouseover=alert(3)>bold?</b>'];

test('hostile markup is shown literally and never runs', async ({ browser, baseURL }) => {
  const [mallory, victim] = await Promise.all([registerUser(baseURL!, 'mallory'), registerUser(baseURL!, 'victim')]);
  const room = uniqueName('xss');
  const v = await ChatPage.signIn(await (await browser.newContext()).newPage(), victim, room);
  const m = await ChatPage.signIn(await (await browser.newContext()).newPage(), mallory, room);
  const dialogs: string[] = [];
  for (const page of [v.page, m.page]) {
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
  }

  for (const text of HOSTILE) {
    await m.sendAndConfirm(text);
  }
  for (const chat of [v, m]) {
    await expect(chat.bodies).toHaveText(HOSTILE);
    await chat.message(HOSTILE[2]).hover();
    await expect(chat.list.locator('img, script, b')).toHaveCount(0);
  }
  // Reloading renders the same text from history.
  await v.page.reload();
  await expect(v.bodies).toHaveText(HOSTILE);
  await expect(v.list.locator('img, script, b')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test('the app runs under the production content security policy', async ({ page }) => {
  const response = await page.goto('/login');
  const policy = response?.headers()['content-security-policy'] ?? '';
  // No 'unsafe-inline' and no 'unsafe-eval': only WebAssembly compilation is allowed.
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval';");
  expect(policy).not.toContain('unsafe-inline');
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.reload();
  await expect(page.getByTestId('submit')).toBeVisible();
  expect(violations).toEqual([]);
});
