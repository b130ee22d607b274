// Editing and deleting: seen live by the others, after a reload, and by someone who was offline.
import { expect, test } from '@playwright/test';
import { ChatPage } from '../pages/chat-page';
import { RoomsPanel } from '../pages/rooms-panel';
import { registerUser, uniqueName } from '../support/api';

test('an edit and a deletion are seen live, after a reload, and by a reader who was offline', async ({ browser, baseURL }) => {
  const [alice, bob, carol] = await Promise.all(
    ['alice', 'bob', 'carol'].map((name) => registerUser(baseURL!, name)),
  );
  const room = uniqueName('edits');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, room);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob, room);
  const carolContext = await browser.newContext();
  const c = await ChatPage.signIn(await carolContext.newPage(), carol, room);
  await a.sendAndConfirm('helo wrold');
  await a.sendAndConfirm('a secret I regret');
  await b.sendAndConfirm('bob was here');
  await expect(c.bodies).toHaveText(['helo wrold', 'a secret I regret', 'bob was here']);

  // One day, so one separator; alice's two messages close together form one group.
  await expect(c.page.getByTestId('day-separator')).toHaveText(['Today']);
  await expect(c.message('a secret I regret')).toHaveClass(/continues/);
  await expect(c.message('helo wrold')).not.toHaveClass(/continues/);
  await expect(c.message('bob was here')).not.toHaveClass(/continues/);

  // Only her own messages offer Edit and Delete.
  await expect(b.message('helo wrold').getByTestId('edit-message')).toHaveCount(0);
  await expect(a.message('bob was here').getByTestId('delete-message')).toHaveCount(0);

  await carolContext.setOffline(true);
  await expect(c.status).toHaveAttribute('data-status', 'offline');

  await a.edit('helo wrold', 'hello world');
  await expect(b.message('hello world')).toBeVisible();
  await expect(b.message('hello world').getByTestId('message-edited')).toHaveText('(edited)');
  await a.delete('a secret I regret');
  await expect(b.deleted).toHaveCount(1);
  await expect(b.bodies).toHaveText(['hello world', 'bob was here']);
  await expect(a.bodies).toHaveText(['hello world', 'bob was here']);

  // Carol comes back: the changes she missed are read from history.
  await carolContext.setOffline(false);
  await c.expectConnected();
  await expect(c.bodies).toHaveText(['hello world', 'bob was here']);
  await expect(c.deleted).toHaveCount(1);
  await expect(c.message('hello world').getByTestId('message-edited')).toBeVisible();

  // A reload reads the final state from the server.
  await b.page.reload();
  await expect(b.bodies).toHaveText(['hello world', 'bob was here']);
  await expect(b.deleted).toHaveCount(1);
  await expect(b.page.getByText('a secret I regret')).toHaveCount(0);
});

test('Escape leaves an edit unsaved, an emptied text is refused in place, and lines are kept', async ({ browser, baseURL }) => {
  const alice = await registerUser(baseURL!, 'alice');
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice, uniqueName('draft'));
  await a.sendAndConfirm('first draft');
  const row = await a.row('first draft');
  await row.getByTestId('edit-message').click();
  await row.getByTestId('edit-body').fill('never saved');
  await row.getByTestId('edit-body').press('Escape');
  await expect(a.bodies).toHaveText(['first draft']);
  await row.getByTestId('edit-message').click();
  await row.getByTestId('edit-body').fill('   ');
  await row.getByTestId('edit-body').press('Enter');
  await expect(row.getByRole('alert')).toBeVisible();
  await expect(row.getByTestId('edit-body')).toBeVisible();
  // A message of several lines keeps them: Shift+Enter breaks a line, Enter saves.
  await row.getByTestId('edit-body').fill('line one');
  await row.getByTestId('edit-body').press('Shift+Enter');
  await row.getByTestId('edit-body').pressSequentially('line two');
  await row.getByTestId('edit-body').press('Enter');
  await expect(a.message('line one\nline two')).toBeVisible();
  await expect(a.bodies).toHaveText(['line one\nline two']);
});

test('the owner of a private room deletes a member’s message there, and the member cannot delete hers', async ({ browser, baseURL }) => {
  const [alice, bob] = await Promise.all([registerUser(baseURL!, 'owner'), registerUser(baseURL!, 'member')]);
  const a = await ChatPage.signIn(await (await browser.newContext()).newPage(), alice);
  const b = await ChatPage.signIn(await (await browser.newContext()).newPage(), bob);
  const aRooms = new RoomsPanel(a.page);
  const bRooms = new RoomsPanel(b.page);
  const plans = await aRooms.create('Moderated', 'private');
  await aRooms.openMembers();
  await aRooms.invite(bob.username);
  await bRooms.link(plans).click();
  await expect(a.presence).toHaveText([alice.username, bob.username].sort());
  await a.sendAndConfirm('house rules');
  await b.sendAndConfirm('spam spam spam');
  await expect(a.message('spam spam spam')).toBeVisible();

  // Hers to delete, not to edit; his own to edit and delete, hers neither.
  await expect(a.message('spam spam spam').getByTestId('edit-message')).toHaveCount(0);
  await expect(b.message('house rules').getByTestId('delete-message')).toHaveCount(0);
  await a.message('spam spam spam').getByTestId('delete-message').click();
  await a.message('spam spam spam').getByTestId('confirm-delete').click();
  await expect(b.deleted).toHaveCount(1);
  await expect(b.bodies).toHaveText(['house rules']);
});
