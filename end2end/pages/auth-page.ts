// The login and register pages.
import { expect, type Locator, type Page } from '@playwright/test';

export class AuthPage {
  readonly username: Locator;
  readonly password: Locator;
  readonly submitButton: Locator;
  readonly usernameError: Locator;
  readonly passwordError: Locator;
  readonly formError: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.username = page.getByTestId('username');
    this.password = page.getByTestId('password');
    this.submitButton = page.getByTestId('submit');
    this.usernameError = page.getByTestId('username-error');
    this.passwordError = page.getByTestId('password-error');
    this.formError = page.getByTestId('form-error');
    this.notice = page.getByTestId('auth-notice');
  }

  async gotoLogin(): Promise<void> {
    await this.page.goto('/login');
    await expect(this.submitButton).toHaveText('Log in');
  }

  async gotoRegister(): Promise<void> {
    await this.page.goto('/register');
    await expect(this.submitButton).toHaveText('Create account');
  }

  async submit(username: string, password: string): Promise<void> {
    await this.username.fill(username);
    await this.password.fill(password);
    await this.submitButton.click();
  }

  /** Submits the login form; the HTTP status and `Retry-After` (seconds) it was answered with. */
  async submitForAnswer(username: string, password: string): Promise<[number, number]> {
    const answer = this.page.waitForResponse((r) => r.url().endsWith('/api/login'));
    await this.submit(username, password);
    const response = await answer;
    return [response.status(), Number(response.headers()['retry-after'] ?? 0)];
  }

  async expectShown(): Promise<void> {
    await expect(this.page).toHaveURL(/\/login$/);
    await expect(this.submitButton).toBeVisible();
  }
}
