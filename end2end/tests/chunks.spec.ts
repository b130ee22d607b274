// The app loads in parts: the shell first, then the login form or the chat as a chunk the
// first time one is shown (app/src/chunks.rs). A chunk the network drops is offered again.
import { expect, test, type Page } from '@playwright/test';
import { AuthPage } from '../pages/auth-page';
import { ChatPage } from '../pages/chat-page';
import { registerUser } from '../support/api';

/** The chunks (`chunk-<part>-<hash>.wasm`) the page has fetched so far, by part. */
function chunksFetched(page: Page): Set<string> {
  const parts = new Set<string>();
  page.on('request', (request) => {
    const chunk = /\/chunk-([a-z]+)(?:-\d+)?-[0-9a-f]+\.wasm$/.exec(new URL(request.url()).pathname);
    if (chunk) parts.add(chunk[1]);
  });
  return parts;
}

test('the login page loads without the chat, which comes when signing in', async ({ page, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const fetched = chunksFetched(page);
  const auth = new AuthPage(page);
  await auth.gotoLogin();
  expect([...fetched]).toContain('auth');
  expect([...fetched]).not.toContain('chat');

  await auth.submit(alice.username, alice.password);
  await new ChatPage(page).expectConnected();
  expect([...fetched]).toContain('chat');
});

test('a chunk the network drops shows a retry, and trying again loads it', async ({ page, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const auth = new AuthPage(page);
  await auth.gotoLogin();
  await page.route(/\/chunk-chat-[0-9a-f]+\.wasm$/, (route) => route.abort('internetdisconnected'));
  await auth.submit(alice.username, alice.password);
  const failed = page.getByTestId('chunk-error');
  await expect(failed).toContainText('could not be loaded');

  await page.unroute(/\/chunk-chat-[0-9a-f]+\.wasm$/);
  await failed.getByRole('button', { name: 'Try again' }).click();
  const chat = new ChatPage(page);
  await chat.expectConnected();
  await expect(chat.roomTitle).toHaveText('#general');
  await expect(failed).toHaveCount(0);
});
