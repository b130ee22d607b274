// The signed-in chat: sidebar, a room's messages, presence, typing and the composer.
import { expect, type Locator, type Page } from '@playwright/test';
import { AuthPage } from './auth-page';
import type { User } from '../support/api';

export class ChatPage {
  readonly status: Locator;
  readonly messages: Locator;
  readonly bodies: Locator;
  readonly list: Locator;
  readonly composer: Locator;
  readonly composerError: Locator;
  readonly presence: Locator;
  readonly typing: Locator;
  readonly roomTitle: Locator;

  constructor(readonly page: Page) {
    this.status = page.getByTestId('connection-status');
    this.messages = page.getByTestId('message');
    this.bodies = page.getByTestId('message-body');
    this.list = page.getByTestId('message-list');
    this.composer = page.getByTestId('composer-input');
    this.composerError = page.getByTestId('composer-error');
    this.presence = page.getByTestId('presence-user');
    this.typing = page.getByTestId('typing-indicator');
    this.roomTitle = page.getByTestId('room-title');
  }

  /** Logs in through the login form and waits for the chat to connect. */
  static async signIn(page: Page, user: User, room = 'general'): Promise<ChatPage> {
    const auth = new AuthPage(page);
    await auth.gotoLogin();
    await auth.submit(user.username, user.password);
    const chat = new ChatPage(page);
    await expect(page).toHaveURL(/\/rooms\/general$/);
    await chat.expectConnected();
    if (room !== 'general') {
      await chat.open(room);
    }
    return chat;
  }

  async expectConnected(): Promise<void> {
    await expect(this.status).toHaveAttribute('data-status', 'connected');
  }

  /** Opens a room through the join form (creating it if new). */
  async open(room: string): Promise<void> {
    const link = this.roomLink(room);
    if (await link.count()) {
      await link.click();
    } else {
      await this.page.getByTestId('room-name-input').fill(room);
      await this.page.getByTestId('join-room').click();
    }
    await expect(this.roomTitle).toHaveText(`#${room}`);
  }

  roomLink(room: string): Locator {
    return this.page.locator(`[data-testid="room-link"][data-room="${room}"]`);
  }

  unread(room: string): Locator {
    return this.roomLink(room).getByTestId('unread-count');
  }

  /** The sidebar's unread counts added up. */
  async unreadTotal(): Promise<number> {
    const counts = await this.page.getByTestId('unread-count').allTextContents();
    return counts.reduce((sum, count) => sum + parseInt(count, 10), 0);
  }

  /** The tab title leads with the sidebar's unread total ("(3) Confab"), or is plain. */
  async expectTitleToShowUnread(): Promise<void> {
    await expect
      .poll(async () => {
        const total = await this.unreadTotal();
        return (await this.page.title()) === (total ? `(${total}) Confab` : 'Confab');
      })
      .toBe(true);
  }

  /**
   * Puts the page in a background tab, or back. Headless Chromium keeps every page visible, so
   * this overrides `document.hidden` and fires the event the browser would.
   */
  async setHidden(hidden: boolean): Promise<void> {
    await this.page.evaluate((value) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    }, hidden);
  }

  /** Types and presses Enter. */
  async send(text: string): Promise<void> {
    await this.composer.fill(text);
    await this.composer.press('Enter');
  }

  /** Sends and waits until the server has acked it. */
  async sendAndConfirm(text: string): Promise<void> {
    await this.send(text);
    await expect(this.messages.filter({ hasText: text }).last()).toHaveAttribute('data-state', 'sent');
  }

  message(text: string): Locator {
    return this.messages.filter({ has: this.page.getByTestId('message-body').getByText(text, { exact: true }) });
  }

  /** The row of the stored message showing `text` now, found by its number, so it stays found
   * while its text is being edited (the body gives way to a field). */
  async row(text: string): Promise<Locator> {
    const seq = await this.message(text).getAttribute('data-seq');
    return this.messages.and(this.page.locator(`[data-seq="${seq}"]`));
  }

  /** Edits one of our messages in place (Enter saves). */
  async edit(text: string, replacement: string): Promise<void> {
    const row = await this.row(text);
    await row.getByTestId('edit-message').click();
    const field = row.getByTestId('edit-body');
    await field.fill(replacement);
    await field.press('Enter');
  }

  /** Deletes one of our messages, confirming with the second click. */
  async delete(text: string): Promise<void> {
    const row = this.message(text);
    await row.getByTestId('delete-message').click();
    await row.getByTestId('confirm-delete').click();
  }

  /** Puts `emoji` on the message showing `text` with the picker (or takes ours off). */
  async react(text: string, emoji: string): Promise<void> {
    const row = this.message(text);
    await row.getByTestId('react-message').click();
    await row.getByRole('button', { name: `React with ${emoji}` }).click();
  }

  /** The pill of one emoji under the message showing `text`. */
  reaction(text: string, emoji: string): Locator {
    return this.message(text).locator(`[data-testid="reaction"][data-emoji="${emoji}"]`);
  }

  /** Each emoji under the message showing `text` with its count, in order: "👍 2". */
  reactions(text: string): Locator {
    return this.message(text).getByTestId('reaction');
  }

  /** Starts a reply to the message showing `text` (the composer shows what it answers). */
  async startReply(text: string): Promise<void> {
    await this.message(text).getByTestId('reply-message').click();
  }

  /** What the composer's reply answers, while writing one. */
  get replying(): Locator {
    return this.page.getByTestId('replying');
  }

  /** The quote of the original in the reply showing `text`. */
  quote(text: string): Locator {
    return this.message(text).getByTestId('reply-quote');
  }

  /** The tombstones of deleted messages. */
  get deleted(): Locator {
    return this.page.getByTestId('message-deleted');
  }

  async bodyTexts(): Promise<string[]> {
    return this.bodies.allTextContents();
  }

  async scrollToTop(): Promise<void> {
    await this.list.evaluate((el) => {
      el.scrollTop = 0;
    });
  }

  async logout(): Promise<void> {
    await this.page.getByTestId('logout').click();
  }
}
