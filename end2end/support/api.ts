// Talks to Confab's HTTP and WebSocket APIs directly (not through the UI), to create users
// and seed rooms the way any client would.
import { randomBytes } from 'node:crypto';
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

export async function registerUser(baseURL: string, prefix: string): Promise<User> {
  const username = uniqueName(prefix);
  const response = await fetch(`${baseURL}/api/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (response.status !== 201) {
    throw new Error(`register ${username}: HTTP ${response.status} ${await response.text()}`);
  }
  const body = (await response.json()) as { token: string };
  return { username, password: PASSWORD, token: body.token };
}

async function socketUrl(baseURL: string): Promise<string> {
  const config = (await (await fetch(`${baseURL}/config.json`)).json()) as { wsUrl: string };
  if (config.wsUrl.startsWith('/')) {
    return baseURL.replace(/^http/, 'ws') + config.wsUrl;
  }
  return config.wsUrl;
}

/** Sends `bodies` to `room` as `user`, one at a time, each acked before the next. */
export async function sendMessages(baseURL: string, user: User, room: string, bodies: string[]): Promise<void> {
  const url = `${await socketUrl(baseURL)}?token=${encodeURIComponent(user.token)}&room=${room}`;
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  try {
    for (const [i, body] of bodies.entries()) {
      const clientMsgId = `seed-${i}-${randomBytes(4).toString('hex')}`;
      const acked = new Promise<void>((resolve, reject) => {
        const onMessage = (data: WebSocket.RawData) => {
          const frame = JSON.parse(data.toString());
          if (frame.type === 'ack' && frame.clientMsgId === clientMsgId) {
            socket.off('message', onMessage);
            resolve();
          } else if (frame.type === 'error') {
            reject(new Error(`seeding refused: ${frame.message}`));
          }
        };
        socket.on('message', onMessage);
      });
      socket.send(JSON.stringify({ action: 'sendMessage', room, body, clientMsgId }));
      await acked;
    }
  } finally {
    socket.close();
  }
}
