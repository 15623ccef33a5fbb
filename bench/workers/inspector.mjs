// The DevTools protocol of a workerd started with `--inspector-addr` (bench/workers/profile.mjs,
// bench/workers/pipeline-cost.mjs --profile): V8's sampling profiler over the Worker's WebSocket.
import WebSocket from 'ws';
import { httpGet } from '../lib.mjs';

/** The Worker's DevTools target (workerd lists one per Worker at /json/list). */
export async function connectInspector(port) {
  if (port === undefined) throw new Error('workerd reported no inspector port');
  const list = JSON.parse((await httpGet(`http://127.0.0.1:${port}/json/list`)).body);
  const target = list.find((t) => t.webSocketDebuggerUrl);
  if (!target) throw new Error(`no inspector target in ${JSON.stringify(list)}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.message} (${message.error.code})`));
    else waiter.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close: () => socket.close(),
  };
}
