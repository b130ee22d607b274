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

test('after a new deploy, a chunk gone with the old build offers a reload, not a retry', async ({ page, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const auth = new AuthPage(page);
  await auth.gotoLogin();
  // The app is deployed again while the tab is open: the chat chunk of the build it loaded is
  // gone from the server, and index.html names another shell.
  await page.route(/\/chunk-chat-[0-9a-f]+\.wasm$/, (route) => route.fulfill({ status: 404, body: 'Not Found' }));
  await page.route('**/index.html', async (route) => {
    const served = await route.fetch();
    const html = (await served.text()).replace(/app-[0-9a-f]{16}/g, 'app-0123456789abcdef');
    await route.fulfill({ response: served, body: html });
  });
  await auth.submit(alice.username, alice.password);
  const failed = page.getByTestId('chunk-error');
  await expect(failed).toContainText('has been updated');
  await expect(failed.getByRole('button', { name: 'Try again' })).toHaveCount(0);

  await page.unrouteAll();
  await failed.getByRole('button', { name: 'Reload' }).click();
  await new ChatPage(page).expectConnected();
});
