// Private rooms and direct conversations in two and three browsers: a conversation in two
// clicks, a removal that stops delivery at once, and a stranger who finds nothing.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { RoomsPanel, directId } from '../pages/rooms-panel';
import { registerUser, uniqueName } from '../support/api';

test('two people start a direct conversation from a name and chat with presence, typing, history and unread counts', async ({
  browser,
  baseURL,
}) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const lobby = uniqueName('lobby');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, lobby);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, lobby);
  await expect(a.presence).toHaveText([alice.username, bob.username].sort());
  const aRooms = new RoomsPanel(a.page);
  const bRooms = new RoomsPanel(b.page);
  const dm = directId(alice.username, bob.username);

  // One click on bob's name (well within two) opens the conversation.
  await aRooms.messageFromPresence(bob.username);
  await expect(a.page).toHaveURL(new RegExp(`/rooms/${dm.replace(/\./g, '\\.')}$`));
  await expect(a.roomTitle).toHaveText(`@${bob.username}`);
  await expect(aRooms.link(dm)).toHaveAttribute('data-kind', 'direct');

  // Bob, still in the lobby, is told of it at once; what alice writes counts as unread.
  await expect(bRooms.link(dm)).toBeVisible();
  await a.sendAndConfirm('psst, bob');
  await expect(b.unread(dm)).toHaveText('1');

  await bRooms.link(dm).click();
  await expect(b.roomTitle).toHaveText(`@${alice.username}`);
  await expect(b.message('psst, bob')).toBeVisible();
  await expect(b.unread(dm)).toHaveCount(0);
  await expect(a.presence).toHaveText([alice.username, bob.username].sort());
  await b.composer.pressSequentially('wh');
  await expect(a.typing).toHaveText(`${bob.username} is typing…`);
  await b.composer.fill('');
  await b.send('what is it?');
  await expect(a.message('what is it?')).toBeVisible();

  // History: after a reload the conversation is still there, in order.
  await b.page.reload();
  await b.expectConnected();
  await expect(b.bodies).toHaveText(['psst, bob', 'what is it?']);
});

test('removing a member stops their live delivery within one message', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'owner'), registerUser(baseURL!, 'guest')]);
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob);
  const aRooms = new RoomsPanel(a.page);
  const bRooms = new RoomsPanel(b.page);

  const plans = await aRooms.create('Launch plans', 'private');
  expect(plans).toMatch(/^p\./);
  await expect(a.roomTitle).toHaveText('🔒Launch plans');
  await aRooms.openMembers();
  await aRooms.invite(bob.username);

  await expect(bRooms.link(plans)).toHaveAttribute('data-kind', 'private');
  await bRooms.link(plans).click();
  await expect(b.roomTitle).toHaveText('🔒Launch plans');
  await expect(a.presence).toHaveText([alice.username, bob.username].sort());
  await a.sendAndConfirm('one');
  await expect(b.message('one')).toBeVisible();

  await aRooms.remove(bob.username);
  await expect(a.presence).toHaveText([alice.username]);
  await a.sendAndConfirm('two');
  // The very next message never reaches bob: his room is closed and gone from his sidebar.
  await expect(bRooms.closed).toBeVisible();
  await expect(bRooms.link(plans)).toHaveCount(0);
  await a.sendAndConfirm('three');
  await expect(b.message('two')).toHaveCount(0);
  await expect(b.message('three')).toHaveCount(0);
});

test('a third person can neither open a private room nor someone else’s conversation', async ({ browser, baseURL }) => {
  const [alice, bob, carol] = await Promise.all([
    registerUser(baseURL!, 'alice'),
    registerUser(baseURL!, 'bob'),
    registerUser(baseURL!, 'carol'),
  ]);
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice);
  const aRooms = new RoomsPanel(a.page);
  const plans = await aRooms.create('Secret plans', 'private');
  await a.sendAndConfirm('the secret');
  const c = await ChatPage.signIn(await (await browser.newContext()).newPage(), carol);
  const cRooms = new RoomsPanel(c.page);

  for (const room of [plans, directId(alice.username, bob.username)]) {
    await c.page.goto(`/rooms/${room}`);
    await c.expectConnected();
    await expect(cRooms.closed).toBeVisible();
    await expect(c.bodies).toHaveCount(0);
    await expect(cRooms.link(room)).toHaveCount(0);
  }
  await expect(c.page.getByText('the secret')).toHaveCount(0);
});
