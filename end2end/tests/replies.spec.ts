// Replies: a quote of the original, live and after a reload, following its edits and its
// deletion; pressing the quote jumps to the original, reading history back when it is old.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, sendMessages, sendReply, uniqueName } from '../support/api';

test('a reply quotes its original live and after a reload, as the original changes', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('replies');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);
  // Both joins have landed: what is sent from here on reaches both live.
  await expect(b.presence).toHaveText([alice.username, bob.username].sort());
  await a.sendAndConfirm('lunch at noon?');
  await expect(b.message('lunch at noon?')).toBeVisible();

  await b.startReply('lunch at noon?');
  await expect(b.replying).toContainText(`${alice.username} lunch at noon?`);
  // Escape drops the reply; Reply again, then send.
  await b.composer.press('Escape');
  await expect(b.replying).toHaveCount(0);
  await b.startReply('lunch at noon?');
  await b.sendAndConfirm('yes, noon works');
  await expect(b.replying).toHaveCount(0);

  for (const reader of [a, b]) {
    await expect(reader.quote('yes, noon works')).toHaveText(`${alice.username} lunch at noon?`);
  }
  await expect(a.quote('lunch at noon?')).toHaveCount(0);

  // The quote shows the original as it stands: edited, then deleted.
  await a.edit('lunch at noon?', 'lunch at one?');
  await expect(b.quote('yes, noon works')).toHaveText(`${alice.username} lunch at one?`);
  await a.delete('lunch at one?');
  await expect(b.quote('yes, noon works')).toHaveText(`${alice.username} Message deleted`);

  await b.page.reload();
  await expect(b.quote('yes, noon works')).toHaveText(`${alice.username} Message deleted`);
});

test('a quote of a message older than the newest page is read on its own, and pressing it pages back to it', async ({ browser, baseURL }) => {
  const [reader, ...seeders] = await Promise.all(
    ['reader', 'seeder', 'seeder', 'seeder', 'seeder', 'seeder', 'seeder'].map((p) => registerUser(baseURL!, p)),
  );
  const room = uniqueName('jump');
  const filler = Array.from({ length: 70 }, (_, i) => `filler ${i + 1}`);
  await sendMessages(baseURL!, seeders, room, ['the very first word', ...filler]);
  const chat = await ChatPage.signIn(await (await browser.newContext()).newPage(), reader, room);
  await expect(chat.bodies).toHaveCount(50);

  // A reply to message 1, sent over the API as another client would.
  await sendReply(baseURL!, seeders[1], room, 1, 'replying to the very start');
  const quote = chat.quote('replying to the very start');
  await expect(quote).toHaveText(`${seeders[0].username} the very first word`);
  await expect(chat.message('the very first word')).toHaveCount(0);

  await quote.click();
  await expect(chat.message('the very first word')).toBeInViewport();
  await expect(chat.message('the very first word')).toHaveAttribute('data-jumped', '');
});
