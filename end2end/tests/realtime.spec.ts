// Scenario 2: two people in two browsers chat both ways, see each other and see typing.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, uniqueName } from '../support/api';

test('two users chat both ways in real time with presence and typing', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('pair');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);

  await expect(a.presence).toHaveText([alice.username, bob.username].sort());
  await expect(b.presence).toHaveText([alice.username, bob.username].sort());

  await a.composer.pressSequentially('hel');
  await expect(b.typing).toHaveText(`${alice.username} is typing…`);
  await a.composer.fill('');
  await a.send('hello bob');
  await expect(b.message('hello bob')).toBeVisible();
  await expect(b.typing).toBeEmpty();
  await expect(b.message('hello bob').getByTestId('message-author')).toHaveText(alice.username);

  await b.send('hi alice');
  await expect(a.message('hi alice')).toBeVisible();
  await expect(a.message('hello bob')).toHaveAttribute('data-state', 'sent');
  await expect(a.message('hello bob')).toHaveClass(/mine/);
  await expect(a.message('hi alice')).not.toHaveClass(/mine/);
  await expect(a.bodies).toHaveText(['hello bob', 'hi alice']);
  await expect(b.bodies).toHaveText(['hello bob', 'hi alice']);

  await expect(a.page.getByTestId('live-region')).toHaveText(`${bob.username}: hi alice`);

  // Shift+Enter starts a new line; Enter sends, and the line break arrives intact.
  await b.composer.pressSequentially('line one');
  await b.composer.press('Shift+Enter');
  await b.composer.pressSequentially('line two');
  await expect(b.composer).toHaveValue('line one\nline two');
  await b.composer.press('Enter');
  await expect(a.message('line one\nline two')).toBeVisible();
  const height = (index: number) => a.bodies.nth(index).evaluate((el) => (el as HTMLElement).offsetHeight);
  expect(await height(2)).toBeGreaterThan(await height(0));

  if (process.env.UPDATE_SCREENSHOT) {
    await b.send('Want to try the new room?\nIt keeps history, even offline.');
    await expect(a.message('Want to try the new room?\nIt keeps history, even offline.')).toBeVisible();
    await a.page.setViewportSize({ width: 1100, height: 620 });
    await a.page.screenshot({ path: '../docs/screenshot.png' });
  }

  await b.page.context().close();
  await expect(a.presence).toHaveText([alice.username]);
});
