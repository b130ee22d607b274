// Scenario 8: an expired access token is refreshed with the HttpOnly cookie; a session that
// ended (logged out here, in another tab or everywhere), or a token that was tampered with,
// sends the person back to log in with a reason, and leaves no socket open.
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

test('an expired access token is refreshed with the cookie and the chat opens', async ({ page, baseURL }) => {
  const session = await signedInSession(page, baseURL!);
  // The access token's time is up (as after a night away); the refresh cookie is not.
  await storeSession(page, { ...session, expiresAt: Date.now() - 1000 });
  const refreshes: number[] = [];
  page.on('response', (r) => r.url().endsWith('/api/session/refresh') && refreshes.push(r.status()));
  await page.goto('/rooms/general');
  const chat = new ChatPage(page);
  await chat.expectConnected();
  await expect.poll(() => refreshes).toEqual([200]);
  const stored: Session = JSON.parse((await page.evaluate((key) => localStorage.getItem(key), KEY)) ?? 'null');
  expect(stored.expiresAt).toBeGreaterThan(Date.now());
  // (The token itself may come out the same within one second: the same claims.)
  // The refresh token itself is never where script can read it.
  expect(await page.evaluate(() => document.cookie)).not.toContain('confab_refresh');
  expect(JSON.stringify(await page.evaluate(() => ({ ...localStorage })))).not.toContain(
    (await page.context().cookies()).find((c) => c.name === 'confab_refresh')!.value,
  );
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
  await expect(auth.notice).toHaveText('Your session has ended. Please log in again.');
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

test('logging out in one tab closes the socket in the other and sends both to login', async ({ context, baseURL }) => {
  const first = await context.newPage();
  const alice = await registerUser(baseURL!, 'alice');
  const chat = await ChatPage.signIn(first, alice);
  const second = await context.newPage();
  const sockets = watchSockets(second);
  await second.goto('/rooms/general');
  await new ChatPage(second).expectConnected();
  const used: Session = JSON.parse((await first.evaluate((key) => localStorage.getItem(key), KEY)) ?? 'null');
  await chat.logout();
  for (const page of [first, second]) await new AuthPage(page).expectShown();
  await expect.poll(() => sockets.length > 0 && sockets.every((ws) => ws.isClosed())).toBe(true);
  // The token the tabs used is dead on the server too, not only forgotten here.
  const history = await fetch(`${baseURL}/api/rooms/general/messages`, { headers: { authorization: `Bearer ${used.token}` } });
  expect(history.status).toBe(401);
});

test('log out everywhere ends the session on another device: its socket closes and it returns to login', async ({ browser, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const laptop = await (await browser.newContext({ baseURL })).newPage();
  const phone = await (await browser.newContext({ baseURL })).newPage();
  const phoneSockets = watchSockets(phone);
  await ChatPage.signIn(laptop, alice);
  await ChatPage.signIn(phone, alice);
  await laptop.getByTestId('logout-everywhere').click();
  await new AuthPage(laptop).expectShown();
  const phoneAuth = new AuthPage(phone);
  await phoneAuth.expectShown();
  await expect(phoneAuth.notice).toHaveText('Your session has ended. Please log in again.');
  await expect.poll(() => phoneSockets.every((ws) => ws.isClosed())).toBe(true);
  const history = await fetch(`${baseURL}/api/rooms/general/messages`, { headers: { authorization: `Bearer ${alice.token}` } });
  expect(history.status, 'every session ended, the registration\'s too').toBe(401);
});
