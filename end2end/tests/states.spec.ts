// The states around the conversation: an empty room, addresses that lead nowhere, rooms
// others made, and a history request that fails and is tried again.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, sendMessages, uniqueName } from '../support/api';

test('an empty room says so, and a bad address says why instead of a blank page', async ({ page, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const chat = await ChatPage.signIn(page, alice, uniqueName('quiet'));
  await expect(page.getByTestId('empty-room')).toBeVisible();
  await expect(chat.messages).toHaveCount(0);

  await page.goto('/rooms/Not%20A%20Room');
  await expect(page.getByTestId('room-invalid')).toContainText('That is not a room name');
  await page.goto('/nowhere/at/all');
  await expect(page.getByTestId('not-found')).toBeVisible();
});

test('rooms others made are listed and joined from the sidebar', async ({ page, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const green = uniqueName('green');
  await sendMessages(baseURL!, bob, green, ['welcome to green']);
  const chat = await ChatPage.signIn(page, alice);
  const listed = page.getByTestId('other-room').filter({ hasText: `#${green}` });
  await expect(listed).toBeVisible();

  await listed.click();
  await expect(chat.roomTitle).toHaveText(`#${green}`);
  await expect(chat.message('welcome to green')).toBeVisible();
  await expect(chat.roomLink(green)).toBeVisible();
  await expect(listed).toHaveCount(0);
});

test('history that fails to load says so and loads when tried again', async ({ page, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('flaky');
  await sendMessages(baseURL!, bob, room, ['worth the wait']);
  const chat = await ChatPage.signIn(page, alice);
  await page.route(/\/api\/rooms\/[^/]+\/messages/, (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'internal', message: 'try again later' } }) }),
  );
  await chat.open(room);
  const failure = page.getByTestId('history-error');
  await expect(failure).toContainText('try again later');
  await expect(chat.messages).toHaveCount(0);

  await page.unroute(/\/api\/rooms\/[^/]+\/messages/);
  await failure.getByRole('button', { name: 'Try again' }).click();
  await expect(chat.message('worth the wait')).toBeVisible();
  await expect(failure).toHaveCount(0);
});
