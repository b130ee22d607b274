// Talks to Confab's HTTP and WebSocket APIs directly (not through the UI), to create users
// and seed rooms the way any client would.
import { randomBytes, randomInt } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';

export const PASSWORD = 'correct horse battery';

export interface User {
  username: string;
  password: string;
  token: string;
}

/** A username no other test (or earlier run against a deployment) has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Registers a new user. On a local server each registration comes from a loopback address
 * of its own (127.x.y.z, as Linux answers on all of 127/8), as different people's would: the
 * server allows 30 registrations per address at once (docs/SECURITY.md), more than a whole
 * suite's users against one stack. */
export async function registerUser(baseURL: string, prefix: string): Promise<User> {
  const username = uniqueName(prefix);
  const body = JSON.stringify({ username, password: PASSWORD });
  const { status, text } = await post(`${baseURL}/api/register`, body);
  if (status !== 201) {
    throw new Error(`register ${username}: HTTP ${status} ${text}`);
  }
  const { token } = JSON.parse(text) as { token: string };
  return { username, password: PASSWORD, token };
}

/** POSTs JSON; to a loopback server, from a random loopback source address. */
async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1' || target.protocol !== 'http:') {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, text: await response.text() };
  }
  const source = `127.${1 + randomInt(254)}.${randomInt(256)}.${1 + randomInt(254)}`;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        localAddress: source,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function socketUrl(baseURL: string): Promise<string> {
  const config = (await (await fetch(`${baseURL}/config.json`)).json()) as { wsUrl: string };
  if (config.wsUrl.startsWith('/')) {
    return baseURL.replace(/^http/, 'ws') + config.wsUrl;
  }
  return config.wsUrl;
}

async function openSocket(baseURL: string, user: User, room: string): Promise<WebSocket> {
  const url = `${await socketUrl(baseURL)}?token=${encodeURIComponent(user.token)}&room=${room}`;
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

/** Sends one message and waits for its ack; a `rate_limited` refusal is waited out and the
 * same message sent again (same clientMsgId), as the app does. */
async function sendOne(
  socket: WebSocket,
  room: string,
  body: string,
  clientMsgId: string,
  replyTo?: number,
): Promise<void> {
  for (;;) {
    const answer = new Promise<number>((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'ack' && frame.clientMsgId === clientMsgId) {
          socket.off('message', onMessage);
          resolve(0);
        } else if (frame.type === 'error' && frame.clientMsgId === clientMsgId) {
          socket.off('message', onMessage);
          if (frame.code === 'rate_limited') {
            resolve(frame.retryAfterMs ?? 1000);
          } else {
            reject(new Error(`seeding refused: ${frame.message}`));
          }
        }
      };
      socket.on('message', onMessage);
    });
    socket.send(JSON.stringify({ action: 'sendMessage', room, body, clientMsgId, replyTo }));
    const wait = await answer;
    if (wait === 0) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Sends `bodies` to `room`, one at a time, each acked before the next (so they are stored in
 * this order). Several users take turns, which seeds a long history quickly within the
 * per-user and per-connection send limits (docs/SECURITY.md). */
export async function sendMessages(
  baseURL: string,
  users: User | User[],
  room: string,
  bodies: string[],
): Promise<void> {
  const senders = Array.isArray(users) ? users : [users];
  const sockets = await Promise.all(senders.map((user) => openSocket(baseURL, user, room)));
  try {
    for (const [i, body] of bodies.entries()) {
      const clientMsgId = `seed-${i}-${randomBytes(4).toString('hex')}`;
      await sendOne(sockets[i % sockets.length], room, body, clientMsgId);
    }
  } finally {
    for (const socket of sockets) {
      socket.close();
    }
  }
}

/** Sends one reply to the message numbered `to` in `room`, as another client would. */
export async function sendReply(baseURL: string, user: User, room: string, to: number, body: string): Promise<void> {
  const socket = await openSocket(baseURL, user, room);
  try {
    await sendOne(socket, room, body, `reply-${randomBytes(4).toString('hex')}`, to);
  } finally {
    socket.close();
  }
}
