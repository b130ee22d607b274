// Read state on the server: one person on two devices sees the same unread counts, reading on
// one clears the other live and after a reload, and in a direct conversation the other person
// sees "Seen" under their last message.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, sendMessages, uniqueName } from '../support/api';

test('unread counts match on two devices of one person, and reading on one clears the other', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const busy = uniqueName('busy');
  const quiet = uniqueName('quiet');
  // Bob's two devices: each has joined both rooms, and looks at the quiet one.
  const devices: ChatPage[] = [];
  for (let i = 0; i < 2; i++) {
    const device = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, busy);
    await device.open(quiet);
    devices.push(device);
  }
  const [laptop, phone] = devices;

  await sendMessages(baseURL!, alice, busy, ['one', 'two', 'three']);
  for (const device of devices) {
    await expect(device.unread(busy)).toHaveText('3');
  }

  // Bob reads the busy room on his laptop: his phone's count clears without a reload.
  await laptop.open(busy);
  await expect(laptop.bodies).toHaveText(['one', 'two', 'three']);
  await expect(laptop.unread(busy)).toHaveCount(0);
  await expect(phone.unread(busy)).toHaveCount(0);

  // A reload of the phone starts from the server's read mark, with nothing unread.
  await phone.page.reload();
  await phone.expectConnected();
  await phone.open(quiet);
  await expect(phone.roomLink(busy)).toBeVisible();
  await expect(phone.unread(busy)).toHaveCount(0);

  // News after that counts on the device not looking at the room.
  await sendMessages(baseURL!, alice, busy, ['four']);
  await expect(phone.unread(busy)).toHaveText('1');
  await expect(laptop.message('four')).toBeVisible();
  await expect(phone.unread(busy)).toHaveCount(0);

  // The phone never showed 'four', but the server says it was read: opening the room there
  // puts the "New messages" line above what came after it.
  await laptop.open(quiet);
  await sendMessages(baseURL!, alice, busy, ['five']);
  await expect(laptop.unread(busy)).toHaveText('1');
  await expect(phone.unread(busy)).toHaveText('1');
  await phone.open(busy);
  await expect(phone.page.getByTestId('new-messages')).toHaveCount(1);
  await expect(phone.page.locator('[data-testid="new-messages"] + [data-testid="message"]')).toContainText('five');
});

test('in a direct conversation the other person sees "Seen" under their last message', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice);
  const direct = `d.${[alice.username, bob.username].sort().join('.')}`;
  const opened = await fetch(`${baseURL}/api/direct`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
    body: JSON.stringify({ with: bob.username }),
  });
  expect(opened.ok).toBe(true);
  await a.roomLink(direct).click();
  await a.sendAndConfirm('are you there?');
  await expect(a.page.getByTestId('seen')).toHaveCount(0);

  // Bob opens the conversation and reads it.
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob);
  await b.roomLink(direct).click();
  await expect(b.message('are you there?')).toBeVisible();
  await expect(a.page.getByTestId('seen')).toHaveText('Seen');

  // After a reload Alice still sees it, read from the conversation's members.
  await a.page.reload();
  await expect(a.message('are you there?')).toBeVisible();
  await expect(a.page.getByTestId('seen')).toHaveText('Seen');
  // A new message of hers is not seen yet.
  await a.sendAndConfirm('hello?');
  await expect(a.page.getByTestId('seen')).toHaveCount(0);
});
