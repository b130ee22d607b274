// Scenario 4: a long history shows its newest page, and scrolling up pages back in order.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, sendMessages, uniqueName } from '../support/api';

const label = (n: number) => `history message ${String(n).padStart(3, '0')}`;

test('scrolling back loads older pages in order without duplicates', async ({ page, baseURL }) => {
  const [reader, ...seeders] = await Promise.all(
    ['reader', 'seeder', 'seeder', 'seeder', 'seeder', 'seeder', 'seeder'].map((p) => registerUser(baseURL!, p)),
  );
  const seeder = seeders[0];
  const room = uniqueName('long');
  const all = Array.from({ length: 120 }, (_, i) => label(i + 1));
  // Six people write the history in turns: one alone would be held to its send rate.
  await sendMessages(baseURL!, seeders, room, all);

  const chat = await ChatPage.signIn(page, reader, room);
  // The newest page (50) shows first, pinned to the newest message.
  await expect(chat.bodies).toHaveCount(50);
  expect(await chat.bodyTexts()).toEqual(all.slice(70));
  await expect(chat.message(label(120))).toBeInViewport();
  await expect(page.getByTestId('history-start')).toHaveCount(0);

  await chat.scrollToTop();
  await expect(chat.bodies).toHaveCount(100);
  // The place is kept: what was at the top is still on screen, not the new top.
  await expect(chat.message(label(1 + 70))).toBeInViewport();
  await chat.scrollToTop();
  await expect(chat.bodies).toHaveCount(120);
  await expect(page.getByTestId('history-start')).toBeVisible();
  expect(await chat.bodyTexts()).toEqual(all);

  // Reading history: a new message does not yank the view down, it waits behind a button.
  await sendMessages(baseURL!, seeder, room, ['while you were reading']);
  const jump = page.getByTestId('jump-to-newest');
  await expect(jump).toHaveText('1 new message ↓');
  await expect(chat.message('while you were reading')).not.toBeInViewport();
  await jump.click();
  await expect(chat.message('while you were reading')).toBeInViewport();
  await expect(jump).toHaveCount(0);
});
