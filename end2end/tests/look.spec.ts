// Look and access: dark mode follows the system, a phone shows one view at a time (a room, or
// the room list), and every control is labelled and reachable by keyboard.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { RoomsPanel } from '../pages/rooms-panel';
import { registerUser } from '../support/api';

test.describe('on a phone in dark mode', () => {
  test.use({ colorScheme: 'dark', viewport: { width: 390, height: 780 } });

  test('a conversation fills the screen, the room list is its own view, and the colours are dark', async ({ page, baseURL }) => {
    const alice = await registerUser(baseURL!, 'alice');
    const chat = await ChatPage.signIn(page, alice);
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect(r + g + b).toBeLessThan(100);
    const sidebar = page.getByRole('navigation', { name: 'Rooms' });
    await expect(sidebar).toBeHidden();
    const list = await chat.list.boundingBox();
    expect(list!.width).toBeGreaterThan(350);
    // A long word wraps instead of widening the page.
    await chat.sendAndConfirm('x'.repeat(300));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    if (process.env.UPDATE_SCREENSHOT) {
      await chat.sendAndConfirm('On a phone the conversation has the whole screen.');
      await page.screenshot({ path: '../docs/phone-room.png' });
    }

    // Back: the room list alone, full width; a room from it fills the screen again.
    await page.getByTestId('back-to-rooms').click();
    await expect(page).toHaveURL(/\/rooms$/);
    await expect(sidebar).toBeVisible();
    await expect(chat.list).toHaveCount(0);
    expect((await sidebar.boundingBox())!.width).toBeGreaterThan(350);
    if (process.env.UPDATE_SCREENSHOT) {
      await page.screenshot({ path: '../docs/phone-rooms.png' });
    }
    await new RoomsPanel(page).link('general').click();
    await expect(chat.list).toBeVisible();
    await expect(sidebar).toBeHidden();
    await expect(chat.bodies.first()).toBeVisible();
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
