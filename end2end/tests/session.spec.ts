// Scenario 8: a session that is expired, or a token that was tampered with, sends the person
// back to log in with a reason, and leaves no socket open.
import { expect, test, type Page, type WebSocket } from '@playwright/test';
import { AuthPage } from '../pages/auth-page';
import { ChatPage } from '../pages/chat-page';
import { registerUser } from '../support/api';

const KEY = 'confab.session';

interface Session {
  token: string;
  username: string;
  expiresAt: number;
}

/** Signs a new user in through the UI and returns the session the app stored. */
async function signedInSession(page: Page, baseURL: string): Promise<Session> {
  await ChatPage.signIn(page, await registerUser(baseURL, 'alice'));
  return JSON.parse((await page.evaluate((key) => localStorage.getItem(key), KEY)) ?? 'null');
}

async function storeSession(page: Page, session: Session): Promise<void> {
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [KEY, JSON.stringify(session)]);
}

function watchSockets(page: Page): WebSocket[] {
  const sockets: WebSocket[] = [];
  page.on('websocket', (ws) => sockets.push(ws));
  return sockets;
}

test('an expired session returns to login with a message and opens no socket', async ({ page, baseURL }) => {
  const session = await signedInSession(page, baseURL!);
  await storeSession(page, { ...session, expiresAt: Date.now() - 1000 });
  const sockets = watchSockets(page);
  await page.goto('/rooms/general');
  const auth = new AuthPage(page);
  await auth.expectShown();
  await expect(auth.notice).toHaveText('Your session has expired. Please log in again.');
  expect(await page.evaluate((key) => localStorage.getItem(key), KEY)).toBeNull();
  expect(sockets).toHaveLength(0);
});

test('a session that expires while the chat is open ends by itself and closes the socket', async ({ page, baseURL }) => {
  const session = await signedInSession(page, baseURL!);
  await storeSession(page, { ...session, expiresAt: Date.now() + 3000 });
  const sockets = watchSockets(page);
  await page.reload();
  const chat = new ChatPage(page);
  await chat.expectConnected();
  const auth = new AuthPage(page);
  await expect(auth.notice).toHaveText('Your session has expired. Please log in again.', { timeout: 15_000 });
  await auth.expectShown();
  await expect.poll(() => sockets.length > 0 && sockets.every((ws) => ws.isClosed())).toBe(true);
});

test('a tampered token returns to login with a message and leaves no socket open', async ({ page, baseURL }) => {
  const session = await signedInSession(page, baseURL!);
  const [header, claims] = session.token.split('.');
  // Claim to be someone else, keeping the old signature.
  const forged = JSON.parse(Buffer.from(claims, 'base64url').toString());
  forged.sub = 'admin';
  const token = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${session.token.split('.')[2]}`;
  await storeSession(page, { ...session, token });
  const sockets = watchSockets(page);
  await page.goto('/rooms/general');
  const auth = new AuthPage(page);
  await auth.expectShown();
  await expect(auth.notice).toHaveText('Your session is no longer valid. Please log in again.');
  await expect.poll(() => sockets.every((ws) => ws.isClosed())).toBe(true);
  expect(await page.evaluate((key) => localStorage.getItem(key), KEY)).toBeNull();
});

test('logging out closes the socket', async ({ page, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const sockets = watchSockets(page);
  const chat = await ChatPage.signIn(page, alice);
  expect(sockets.length).toBeGreaterThan(0);
  await chat.logout();
  await new AuthPage(page).expectShown();
  await expect.poll(() => sockets.every((ws) => ws.isClosed())).toBe(true);
});
