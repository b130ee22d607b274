// Scenario 5: a dropped connection loses nothing and duplicates nothing.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, uniqueName } from '../support/api';

test('after going offline and back, every missed message shows once, in order', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('flaky');
  const aliceContext = await browser.newContext();
  const a = await ChatPage.signIn(await aliceContext.newPage(), alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);
  await b.sendAndConfirm('before the drop');
  await expect(a.message('before the drop')).toBeVisible();

  await aliceContext.setOffline(true);
  await expect(a.status).toHaveAttribute('data-status', 'offline');
  // Alice's socket is really gone: the server told Bob she left.
  await expect(b.presence).toHaveText([bob.username]);

  const missed = [1, 2, 3, 4, 5].map((n) => `missed ${n}`);
  for (const text of missed) {
    await b.sendAndConfirm(text);
  }
  await a.send('written while offline');
  await expect(a.message('written while offline')).toHaveAttribute('data-state', 'pending');
  await expect(a.message('missed 1')).toHaveCount(0);

  await aliceContext.setOffline(false);
  await a.expectConnected();
  await expect(a.message('written while offline')).toHaveAttribute('data-state', 'sent');
  const expected = ['before the drop', ...missed, 'written while offline'];
  await expect(a.bodies).toHaveText(expected);
  await expect(b.bodies).toHaveText(expected);
  await expect(b.message('written while offline')).toHaveCount(1);
});

test('a refused send shows failed, and its retry reuses the client id and is stored once', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('retry');
  const page = await (await browser.newContext()).newPage();
  // Between Alice's app and the gateway: the first message frame is answered with an error
  // instead of being delivered, as a server in trouble would; everything else passes.
  const sentIds: string[] = [];
  await page.routeWebSocket(/\/ws/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const frame = JSON.parse(message.toString());
      if (frame.action === 'sendMessage') {
        sentIds.push(frame.clientMsgId);
        if (sentIds.length === 1) {
          ws.send(JSON.stringify({ type: 'error', code: 'internal', message: 'something went wrong', clientMsgId: frame.clientMsgId }));
          return;
        }
      }
      server.send(message);
    });
  });
  const a = await ChatPage.signIn(page, alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);

  await a.send('second try lucky');
  const mine = a.message('second try lucky');
  await expect(mine).toHaveAttribute('data-state', 'failed');
  await expect(mine.getByTestId('message-failed')).toContainText('something went wrong');
  await expect(b.message('second try lucky')).toHaveCount(0);

  await mine.getByTestId('retry').click();
  await expect(mine).toHaveAttribute('data-state', 'sent');
  await expect(b.message('second try lucky')).toHaveCount(1);
  expect(sentIds).toHaveLength(2);
  expect(sentIds[1]).toBe(sentIds[0]);
});
