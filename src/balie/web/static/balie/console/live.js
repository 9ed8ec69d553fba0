// For console pages that show figures the inbox's events change (the dashboard's queue, the
// routing page): follow the staff socket and ask the server again soon after a change.
// The server stays the one source of the figures; a frame only says "something changed".

// Calls `fn` once `ms` after the first call of the returned function; calls meanwhile ride
// along, so a burst of changes (a batch of residents starting at once) is one request.
export function soon(fn, ms = 1000) {
  let pending = null;
  return () => {
    if (pending !== null) return;
    pending = setTimeout(() => {
      pending = null;
      fn();
    }, ms);
  };
}

// Opens the staff socket at `url` and calls `onChange(frame)` for every frame whose type is
// in `types`; `onState(true|false)` when it comes up or goes down. Reconnects with backoff;
// a page using this keeps a timer of its own for while the socket is down.
export function follow(url, types, onChange, onState = () => {}, attempt = 0) {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const ws = new WebSocket(scheme + location.host + url);
  ws.addEventListener("open", () => {
    attempt = 0;
    onState(true);
  });
  ws.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (types.includes(frame.type)) onChange(frame);
  });
  ws.addEventListener("close", (event) => {
    onState(false);
    if (event.code === 4401) return; // the session ended: the page's next request says so
    const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
    setTimeout(() => follow(url, types, onChange, onState, attempt + 1), delay);
  });
}
