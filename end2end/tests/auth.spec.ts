// Scenario 1: register, log out, log in; every refusal is explained.
import { expect, test } from '@playwright/test';
import { AuthPage } from '../pages/auth-page';
import { ChatPage } from '../pages/chat-page';
import { PASSWORD, uniqueName } from '../support/api';

test('a person registers, logs out and logs back in', async ({ page }) => {
  const auth = new AuthPage(page);
  const name = uniqueName('reg');
  await auth.gotoRegister();
  await auth.submit(name, PASSWORD);
  const chat = new ChatPage(page);
  await chat.expectConnected();
  await expect(page.getByTestId('current-user')).toHaveText(name);

  await chat.logout();
  await auth.expectShown();
  await auth.submit(name, PASSWORD);
  await chat.expectConnected();
  await expect(page.getByTestId('current-user')).toHaveText(name);
});

test('registration explains a bad username, a short password and a taken name', async ({ page }) => {
  const auth = new AuthPage(page);
  await auth.gotoRegister();

  await auth.submit('a!', PASSWORD);
  await expect(auth.usernameError).toContainText('Username must be');
  await expect(page).toHaveURL(/\/register$/);

  const name = uniqueName('taken');
  await auth.submit(name, 'short');
  await expect(auth.passwordError).toContainText('Password must be');
  await expect(auth.usernameError).toBeEmpty();

  await auth.submit(name, PASSWORD);
  await new ChatPage(page).logout();
  await auth.gotoRegister();
  await auth.submit(name, PASSWORD);
  await expect(auth.usernameError).toHaveText('That username is taken. Try another.');
  await expect(page).toHaveURL(/\/register$/);
});

test('wrong credentials are refused with one message for both cases', async ({ page }) => {
  const auth = new AuthPage(page);
  const name = uniqueName('creds');
  await auth.gotoRegister();
  await auth.submit(name, PASSWORD);
  await new ChatPage(page).logout();

  await auth.submit(name, 'not the password');
  await expect(auth.formError).toHaveText('Wrong username or password');
  const wrongPassword = await auth.formError.textContent();

  await auth.submit(uniqueName('nobody'), PASSWORD);
  await expect(auth.formError).toHaveText(wrongPassword ?? '');
  await expect(page).toHaveURL(/\/login$/);
});

test('password guessing is answered with a wait, and the owner still gets in after it', async ({ page }) => {
  const auth = new AuthPage(page);
  const name = uniqueName('guess');
  await auth.gotoRegister();
  await auth.submit(name, PASSWORD);
  await new ChatPage(page).logout();

  const statuses: number[] = [];
  for (let guess = 0; guess < 6; guess++) {
    const [status] = await auth.submitForAnswer(name, `wrong guess ${guess}`);
    statuses.push(status);
  }
  expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
  const [throttled, retryAfter] = await auth.submitForAnswer(name, 'one more guess');
  expect(throttled).toBe(429);
  expect(retryAfter).toBeGreaterThan(0);
  await expect(auth.formError).toContainText('Too many attempts: try again in');

  // Once the window the server named has passed, the right password works (never a lockout).
  await page.waitForTimeout(retryAfter * 1000 + 200);
  await auth.submit(name, PASSWORD);
  await new ChatPage(page).expectConnected();
});
