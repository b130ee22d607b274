// Private rooms and direct conversations: the sidebar's sections, the "New room" dialog, a
// person's name that opens a conversation, and a private room's members panel.
import { expect, type Locator, type Page } from '@playwright/test';

/** The direct conversation id of two usernames, as the server forms it. */
export function directId(a: string, b: string): string {
  const [first, second] = [a, b].sort();
  return `d.${first}.${second}`;
}

export class RoomsPanel {
  readonly members: Locator;
  readonly closed: Locator;

  constructor(readonly page: Page) {
    this.members = page.getByTestId('member');
    this.closed = page.getByTestId('room-closed');
  }

  /** The sidebar link of a direct conversation or private room, by its id. */
  link(roomId: string): Locator {
    return this.page.locator(`[data-testid="room-link"][data-room="${roomId}"]`);
  }

  /** Clicks a person's name in the presence list: their conversation opens. */
  async messageFromPresence(username: string): Promise<void> {
    await this.page
      .locator(`[data-testid="presence-user"][data-user="${username}"]`)
      .getByTestId('person')
      .click();
  }

  /** Creates a room through the "New room" dialog and waits until it is shown. */
  async create(name: string, kind: 'private' | 'public'): Promise<string> {
    await this.page.getByTestId('new-room-button').click();
    await this.page.getByTestId('new-room-name').fill(name);
    await this.page.getByTestId(`new-room-${kind}`).check();
    await this.page.getByTestId('new-room-create').click();
    await expect(this.page.getByTestId('room-title')).toContainText(name);
    const room = await this.page.getByTestId('room').getAttribute('data-room');
    return room!;
  }

  async openMembers(): Promise<void> {
    await this.page.getByTestId('members-button').click();
    await expect(this.page.getByTestId('members-panel')).toBeVisible();
  }

  /** Types the start of a name, picks the suggestion, and invites. */
  async invite(username: string): Promise<void> {
    await this.page.getByTestId('invite-name').pressSequentially(username.slice(0, 5));
    await this.page.getByTestId('invite-suggestion').filter({ hasText: username }).click();
    await expect(this.page.getByTestId('invite-name')).toHaveValue(username);
    await this.page.getByTestId('invite').click();
    await expect(this.member(username)).toBeVisible();
  }

  member(username: string): Locator {
    return this.page.locator(`[data-testid="member"][data-user="${username}"]`);
  }

  async remove(username: string): Promise<void> {
    await this.member(username).getByTestId('remove-member').click();
    await expect(this.member(username)).toHaveCount(0);
  }
}
