// Look and access: dark mode follows the system, phones get the sidebar above the room, and
// every control is labelled and reachable by keyboard.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser } from '../support/api';

test.describe('on a phone in dark mode', () => {
  test.use({ colorScheme: 'dark', viewport: { width: 390, height: 760 } });

  test('the layout folds and the colours are dark', async ({ page, baseURL }) => {
    const alice = await registerUser(baseURL!, 'alice');
    const chat = await ChatPage.signIn(page, alice);
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(100);
    const sidebar = await page.getByRole('navigation', { name: 'Rooms' }).boundingBox();
    const list = await chat.list.boundingBox();
    expect(sidebar!.y + sidebar!.height).toBeLessThanOrEqual(list!.y + 1);
    expect(sidebar!.width).toBeGreaterThan(300);
    // A long word wraps instead of widening the page.
    await chat.sendAndConfirm('x'.repeat(300));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
  });
});

test('controls are labelled and the composer is reachable by keyboard', async ({ page, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const chat = await ChatPage.signIn(page, alice);
  await expect(page.getByRole('textbox', { name: 'Message #general' })).toBeVisible();
  await expect(page.getByLabel('Join or create a room')).toBeVisible();
  await expect(page.locator('[aria-live="polite"]')).toHaveCount(1);
  await page.getByTestId('room-name-input').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('join-room')).toBeFocused();
  await chat.composer.focus();
  await page.keyboard.type('sent from the keyboard');
  await page.keyboard.press('Enter');
  await expect(chat.message('sent from the keyboard')).toHaveAttribute('data-state', 'sent');
});
