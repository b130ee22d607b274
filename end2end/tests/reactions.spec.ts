// Reactions: seen live by the others, after a reload, and by someone who was offline; who
// reacted shows on hover and on a long press.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { registerUser, uniqueName } from '../support/api';

test('reactions are counted live, after a reload, and for a reader who was offline', async ({ browser, baseURL }) => {
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map((name) => registerUser(baseURL!, name)),
  );
  const room = uniqueName('reactions');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);
  const carolContext = await browser.newContext();
  const c = await ChatPage.signIn(await carolContext.newPage(), carol, room);
  // Every join has landed: what is sent from here on reaches all three live.
  const everyone = [alice.username, bob.username, carol.username].sort();
  for (const reader of [a, b, c]) {
    await expect(reader.presence).toHaveText(everyone);
  }
  await a.sendAndConfirm('lunch at noon?');
  await expect(b.message('lunch at noon?')).toBeVisible();

  // Bob picks 👍; everyone sees one, and it is pressed for him alone.
  await b.react('lunch at noon?', '👍');
  await expect(a.reactions('lunch at noon?')).toHaveText(['👍 1']);
  await expect(c.reactions('lunch at noon?')).toHaveText(['👍 1']);
  await expect(b.reaction('lunch at noon?', '👍')).toHaveAttribute('aria-pressed', 'true');
  await expect(a.reaction('lunch at noon?', '👍')).toHaveAttribute('aria-pressed', 'false');
  await expect(a.reaction('lunch at noon?', '👍')).toHaveAttribute('title', `${bob.username} reacted with 👍`);

  // Alice adds hers by pressing the pill.
  await a.reaction('lunch at noon?', '👍').click();
  await expect(b.reactions('lunch at noon?')).toHaveText(['👍 2']);
  await expect(a.reaction('lunch at noon?', '👍')).toHaveAttribute('aria-pressed', 'true');

  // While Carol is offline, Bob takes his 👍 off and adds 🎉.
  await carolContext.setOffline(true);
  await expect(c.status).toHaveAttribute('data-status', 'offline');
  await b.reaction('lunch at noon?', '👍').click();
  await expect(a.reactions('lunch at noon?')).toHaveText(['👍 1']);
  await b.react('lunch at noon?', '🎉');
  await expect(a.reactions('lunch at noon?')).toHaveText(['👍 1', '🎉 1']);

  await carolContext.setOffline(false);
  await c.expectConnected();
  await expect(c.reactions('lunch at noon?')).toHaveText(['👍 1', '🎉 1']);
  await expect(c.reaction('lunch at noon?', '👍')).toHaveAttribute('title', `${alice.username} reacted with 👍`);

  // A reload reads the counts from the server, pressed where they are ours.
  await a.page.reload();
  await expect(a.reactions('lunch at noon?')).toHaveText(['👍 1', '🎉 1']);
  await expect(a.reaction('lunch at noon?', '👍')).toHaveAttribute('aria-pressed', 'true');
  await expect(a.reaction('lunch at noon?', '🎉')).toHaveAttribute('aria-pressed', 'false');
});

test('a long press on a touch screen shows who reacted without reacting', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('touch');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, room);
  const phone = await browser.newContext({ hasTouch: true });
  const b = await ChatPage.signIn(await phone.newPage(), bob, room);
  await expect(b.presence).toHaveText([alice.username, bob.username].sort());
  await a.sendAndConfirm('who is in?');
  await a.react('who is in?', '🙏');
  const pill = b.reaction('who is in?', '🙏');
  await expect(pill).toHaveText('🙏 1');

  await pill.dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true });
  await expect(b.message('who is in?').getByTestId('reaction-who')).toHaveText(`${alice.username} reacted with 🙏`);
  await pill.dispatchEvent('pointerup', { pointerType: 'touch', isPrimary: true });
  await pill.dispatchEvent('click');
  // The long press only showed the names: no reaction of Bob's went out.
  await b.react('who is in?', '👀');
  await expect(a.reactions('who is in?')).toHaveText(['🙏 1', '👀 1']);

  // A tap reacts.
  await pill.tap();
  await expect(a.reactions('who is in?')).toHaveText(['🙏 2', '👀 1']);
});

test('a reaction that arrives while the author is editing keeps the edit field and its draft', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'alice'), registerUser(baseURL!, 'bob')]);
  const room = uniqueName('drafts');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);
  await expect(a.presence).toHaveText([alice.username, bob.username].sort());
  await b.sendAndConfirm('draft me');
  await expect(a.message('draft me')).toBeVisible();
  const row = await b.row('draft me');
  await row.getByTestId('edit-message').click();
  await row.getByTestId('edit-body').fill('half-written');

  await a.react('draft me', '👀');
  await expect(row.getByTestId('reaction')).toHaveText(['👀 1']);
  await expect(row.getByTestId('edit-body')).toHaveValue('half-written');
  await row.getByTestId('edit-body').press('Enter');
  await expect(a.message('half-written')).toBeVisible();
});
