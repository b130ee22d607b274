// Mentions and notifications: `@name` stands out for the person named and counts in a badge
// of its own; a mention or a direct message notifies a reader whose tab is in the background.
import { expect, test, type BrowserContext } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, sendMessages, uniqueName } from '../support/api';

/** A context whose notifications are allowed and recorded in `window.__notes`. */
async function notifiable(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const notes: { title: string; body?: string; tag?: string }[] = [];
    (window as unknown as { __notes: typeof notes }).__notes = notes;
    class Recorded {
      static get permission() {
        return 'granted';
      }
      static requestPermission() {
        return Promise.resolve('granted');
      }
      onclick: unknown = null;
      constructor(title: string, options?: { body?: string; tag?: string }) {
        notes.push({ title, body: options?.body, tag: options?.tag });
      }
    }
    (window as unknown as { Notification: unknown }).Notification = Recorded;
  });
}

async function notes(chat: ChatPage): Promise<{ title: string; body?: string }[]> {
  return chat.page.evaluate(() => (window as unknown as { __notes: { title: string; body?: string }[] }).__notes);
}

test('a mention stands out, counts apart from unread, and notifies a reader in a background tab', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const busy = uniqueName('busy');
  const quiet = uniqueName('quiet');
  const context = await browser.newContext();
  await notifiable(context);
  const b = await ChatPage.signIn(await context.newPage(), bob, busy);
  await b.open(quiet);

  await sendMessages(baseURL!, alice, busy, ['hello everyone', `@${bob.username} please review`, `not for ${bob.username}@example.com`]);
  await expect(b.unread(busy)).toHaveText('3');
  await expect(b.roomLink(busy).getByTestId('mention-count')).toHaveText('@1');
  expect(await notes(b), 'the tab is in front: no notification').toEqual([]);

  await b.open(busy);
  await expect(b.message(`@${bob.username} please review`)).toHaveClass(/mentions-me/);
  await expect(b.message('hello everyone')).not.toHaveClass(/mentions-me/);
  await expect(b.roomLink(busy).getByTestId('mention-count')).toHaveCount(0);

  // In a background tab, a mention notifies; other messages do not.
  await b.setHidden(true);
  await sendMessages(baseURL!, alice, busy, ['just chatting', `@${bob.username} are you there?`]);
  await expect.poll(() => notes(b)).toEqual([{ title: `${alice.username} in #${busy}`, body: `@${bob.username} are you there?`, tag: busy }]);

  // A direct message notifies without a mention.
  const opened = await fetch(`${baseURL}/api/direct`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
    body: JSON.stringify({ with: bob.username }),
  });
  expect(opened.ok).toBe(true);
  const direct = `d.${[alice.username, bob.username].sort().join('.')}`;
  await expect(b.roomLink(direct)).toBeVisible();
  await sendMessages(baseURL!, alice, direct, ['psst']);
  await expect.poll(async () => (await notes(b)).length).toBe(2);
  expect((await notes(b))[1]).toEqual({ title: alice.username, body: 'psst', tag: direct });
});
