// Scenario 7: the longest allowed message goes through; one character more is refused here,
// with the reason, and nothing is sent.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, uniqueName } from '../support/api';

const MAX = 4000;

test('a message at the limit is delivered and one over it is refused', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('limits');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);

  // Multi-byte characters: the limit counts characters, not bytes.
  const longest = 'é'.repeat(MAX - 9) + 'ünïcødé✓!';
  expect([...longest]).toHaveLength(MAX);
  await a.send(longest);
  await expect(b.bodies).toHaveCount(1);
  expect(await b.bodies.first().textContent()).toBe(longest);
  await expect(a.messages.first()).toHaveAttribute('data-state', 'sent');
  await expect(a.composer).toHaveValue('');

  const tooLong = 'x'.repeat(MAX + 1);
  await a.send(tooLong);
  await expect(a.composerError).toHaveText(`Not sent: message must be 1 to ${MAX} characters long.`);
  await expect(a.page.getByTestId('char-count')).toHaveText(`${MAX + 1} / ${MAX}`);
  await expect(a.composer).toHaveValue(tooLong);
  await expect(a.messages).toHaveCount(1);
  await b.page.reload();
  await expect(b.bodies).toHaveCount(1);
});
