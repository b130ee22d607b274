// Scenario 3: rooms are isolated, and a room not on screen counts what it missed, across
// reloads too (read marks are kept in localStorage).
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, sendMessages, uniqueName } from '../support/api';

test('a message in one room never shows in another and raises the unread count there', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const [red, blue] = [uniqueName('red'), uniqueName('blue')];
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, red);
  await a.open(blue);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, red);
  await b.open(blue);

  // Alice reads blue; Bob posts in red twice, then once in blue.
  await a.open(blue);
  await b.open(red);
  await b.sendAndConfirm('only for red 1');
  await b.sendAndConfirm('only for red 2');
  await expect(a.unread(red)).toHaveText('2');
  await expect(a.unread(blue)).toHaveCount(0);
  // Other specs post in #general too, so the title is checked against the sidebar's total.
  await expect(a.page).toHaveTitle(/^\(\d+\) Confab$/);
  await a.expectTitleToShowUnread();
  await expect(a.message('only for red 1')).toHaveCount(0);

  await sendMessages(baseURL!, bob, blue, ['for blue']);
  await expect(a.message('for blue')).toBeVisible();
  await expect(a.unread(blue)).toHaveCount(0);

  await a.open(red);
  await expect(a.unread(red)).toHaveCount(0);
  await a.expectTitleToShowUnread();
  expect(await a.bodyTexts()).toEqual(['only for red 1', 'only for red 2']);
  await expect(a.message('for blue')).toHaveCount(0);
});

test('a room name is checked before joining', async ({ page, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  await ChatPage.signIn(page, alice);
  await page.getByTestId('room-name-input').fill('No Spaces!');
  await page.getByTestId('join-room').click();
  await expect(page.getByTestId('room-name-error')).toContainText('Room');
  await expect(page.getByTestId('room-title')).toHaveText('#general');
});

test('unread counts survive a reload and count what came while the page was closed', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const [red, blue] = [uniqueName('red'), uniqueName('blue')];
  const context = await browser.newContext();
  const a = await ChatPage.signIn(await context.newPage(), alice, red);
  await sendMessages(baseURL!, bob, red, ['read before leaving']);
  await expect(a.message('read before leaving')).toBeVisible();
  await a.open(blue);
  await sendMessages(baseURL!, bob, red, ['while in blue']);
  await expect(a.unread(red)).toHaveText('1');

  await a.page.reload();
  await a.expectConnected();
  await expect(a.unread(red)).toHaveText('1');

  // Nothing of Alice's is open while Bob writes twice more.
  await a.page.close();
  await sendMessages(baseURL!, bob, red, ['while closed 1', 'while closed 2']);
  const back = new ChatPage(await context.newPage());
  await back.page.goto(`/rooms/${blue}`);
  await back.expectConnected();
  await expect(back.unread(red)).toHaveText('3');
  await expect(back.unread(blue)).toHaveCount(0);

  await back.open(red);
  await expect(back.unread(red)).toHaveCount(0);
  await expect(back.bodies).toHaveText(['read before leaving', 'while in blue', 'while closed 1', 'while closed 2']);
});

test('leaving a room takes it off the sidebar and out of its presence, also after a reload', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const red = uniqueName('red');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, red);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, red);
  await expect(b.presence.filter({ hasText: alice.username })).toHaveCount(1);
  await expect(a.page.getByTestId('leave-room')).toBeVisible();
  await a.composer.fill('half a thought');
  await expect(b.typing).toContainText(alice.username);

  // Leaving mid-sentence says "stopped typing" first: at once, not after the notice expires.
  await a.page.getByTestId('leave-room').click();
  await expect(b.typing).not.toContainText(alice.username, { timeout: 3_000 });
  await expect(a.roomTitle).toHaveText('#general');
  await expect(a.page.getByTestId('leave-room')).toHaveCount(0);
  await expect(a.roomLink(red)).toHaveCount(0);
  await expect(a.page.getByTestId('other-room').filter({ hasText: `#${red}` })).toBeVisible();
  await expect(b.presence.filter({ hasText: alice.username })).toHaveCount(0);
  await a.page.goBack();
  await expect(a.page).not.toHaveURL(new RegExp(red));
  await expect(a.roomLink(red)).toHaveCount(0);
  await expect(a.page.getByTestId('chat-notice')).toHaveCount(0);

  await b.sendAndConfirm('after alice left');
  await a.page.reload();
  await a.expectConnected();
  await expect(a.roomLink(red)).toHaveCount(0);
  await expect(a.page.locator('[data-testid="unread-count"]')).toHaveCount(0);
});

test('news in the room of a background tab stays unread, in the title too, until the tab is back', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const red = uniqueName('red');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, red);
  await a.setHidden(true);
  await sendMessages(baseURL!, bob, red, ['while the tab was hidden']);
  await expect(a.message('while the tab was hidden')).toBeVisible();
  await expect(a.unread(red)).toHaveText('1');
  await a.expectTitleToShowUnread();

  await a.setHidden(false);
  await expect(a.unread(red)).toHaveCount(0);
  await a.expectTitleToShowUnread();
});

test('two tabs of one user follow each other: rooms joined and left, messages read', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const red = uniqueName('red');
  const context = await browser.newContext();
  const first = await ChatPage.signIn(await context.newPage(), alice);
  const second = new ChatPage(await context.newPage());
  await second.page.goto('/rooms/general');
  await second.expectConnected();

  await first.open(red);
  await expect(second.roomLink(red)).toBeVisible();
  await first.open('general');
  await sendMessages(baseURL!, bob, red, ['for both tabs']);
  await expect(first.unread(red)).toHaveText('1');
  await expect(second.unread(red)).toHaveText('1');

  await second.open(red);
  await expect(second.message('for both tabs')).toBeVisible();
  await expect(first.unread(red)).toHaveCount(0);

  await second.open('general');
  await first.open(red);
  await first.page.getByTestId('leave-room').click();
  await expect(first.roomLink(red)).toHaveCount(0);
  await expect(second.roomLink(red)).toHaveCount(0);
});

test('a room left in one tab while another shows it stays left when that tab moves on to a new room', async ({ browser, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const [red, blue] = [uniqueName('red'), uniqueName('blue')];
  const context = await browser.newContext();
  const first = await ChatPage.signIn(await context.newPage(), alice, red);
  const second = new ChatPage(await context.newPage());
  await second.page.goto(`/rooms/${red}`);
  await second.expectConnected();

  await first.page.getByTestId('leave-room').click();
  await expect(first.roomLink(red)).toHaveCount(0);
  // The tab showing the room keeps it on screen while the reader is there...
  await expect(second.roomTitle).toHaveText(`#${red}`);
  // ...and lets it go on moving on; joining another room there must not write it back.
  await second.open(blue);
  await expect(second.roomLink(red)).toHaveCount(0);
  await expect(first.roomLink(blue)).toBeVisible();
  await expect(first.roomLink(red)).toHaveCount(0);
  await first.page.reload();
  await first.expectConnected();
  await expect(first.roomLink(blue)).toBeVisible();
  await expect(first.roomLink(red)).toHaveCount(0);
});

test('leaving a room with a message not sent yet asks first; staying keeps it, leaving drops it', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const red = uniqueName('red');
  const context = await browser.newContext();
  const a = await ChatPage.signIn(await context.newPage(), alice, red);
  await context.setOffline(true);
  await expect(a.status).toHaveAttribute('data-status', 'offline');
  await a.send('not sent yet');
  await expect(a.message('not sent yet')).toHaveAttribute('data-state', 'pending');

  const leave = a.page.getByTestId('leave-room');
  const question = a.page.getByTestId('leave-confirm');
  await leave.click();
  await expect(question).toContainText('1 message you wrote here is not sent yet');
  await expect(a.page.getByTestId('leave-stay')).toBeFocused();
  await a.page.getByTestId('leave-stay').click();
  await expect(question).toHaveCount(0);
  await expect(a.roomTitle).toHaveText(`#${red}`);
  await expect(a.message('not sent yet')).toHaveAttribute('data-state', 'pending');
  await leave.click();
  await a.page.keyboard.press('Escape');
  await expect(question).toHaveCount(0);

  await leave.click();
  await a.page.getByTestId('leave-anyway').click();
  await expect(a.roomTitle).toHaveText('#general');
  await expect(a.roomLink(red)).toHaveCount(0);
  await context.setOffline(false);
  await a.expectConnected();
  // Dropped for good: the socket coming back does not send it.
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, red);
  await expect(b.page.getByTestId('empty-room')).toBeVisible();
  await expect(b.message('not sent yet')).toHaveCount(0);
});

test('a message I write on another device marks the room read up to it here, also after a reload', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const red = uniqueName('red');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, red);
  await a.open('general');
  await sendMessages(baseURL!, bob, red, ['one', 'two']);
  await expect(a.unread(red)).toHaveText('2');
  // Answering from the phone means having read what came before.
  await sendMessages(baseURL!, alice, red, ['answered from my phone']);
  await expect(a.unread(red)).toHaveCount(0);
  await sendMessages(baseURL!, bob, red, ['three']);
  await expect(a.unread(red)).toHaveText('1');
  await a.page.reload();
  await a.expectConnected();
  await expect(a.unread(red)).toHaveText('1');
});
