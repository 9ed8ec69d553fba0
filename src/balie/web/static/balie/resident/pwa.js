// Balie resident app: the service worker, "add to home screen" and the notifications switch.
// An ES module beside chat.js; it hears from chat.js through two window events:
// "balie:conversation" (a conversation started, and so there is a device token) and
// "balie:answer" (an answer from the municipality is on the page).

const config = JSON.parse(document.getElementById("balie-config").textContent);
const TEXTS = JSON.parse(document.getElementById("balie-strings").textContent);
const pwa = config.pwa;
const $ = (id) => document.getElementById(id);
const key = (name) => `balie:${config.slug}:${name}`;
const DISMISS_DAYS = 30;

function t(name) {
  const lang = document.documentElement.lang in TEXTS ? document.documentElement.lang : "nl";
  return (TEXTS[lang][name] ?? name).replace(/%\(organisation\)s/g, config.organisation);
}

function read(name) {
  try { return localStorage.getItem(key(name)); } catch { return null; }
}

function write(name, value) {
  try {
    if (value === null) localStorage.removeItem(key(name));
    else localStorage.setItem(key(name), value);
  } catch { /* storage blocked: this page only */ }
}

function say(text) {
  const region = $("pwa-status");
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

// Labels follow the page's language switch: chat.js re-reads every [data-t].
function label(element, name) {
  element.dataset.t = name;
  element.textContent = t(name);
}

// --- the service worker ------------------------------------------------------------------------
const canWork = "serviceWorker" in navigator && window.isSecureContext && !config.embed;
const registration = canWork
  ? navigator.serviceWorker.register(pwa.serviceWorker, { scope: pwa.scope, type: "classic" })
      .catch(() => null)
  : Promise.resolve(null);

// --- "add to home screen": offered once the resident had an answer, never nagging ----------------
let installPrompt = null;
let answered = false;

function dismissedRecently() {
  const when = Number(read("install-dismissed") || 0);
  return Date.now() - when < DISMISS_DAYS * 24 * 3600 * 1000;
}

function offerInstall() {
  if (!installPrompt || !answered || dismissedRecently()) return;
  if (window.matchMedia("(display-mode: standalone)").matches) return;
  $("install").hidden = false;
}

function closeInstall(dismissed) {
  $("install").hidden = true;
  if (dismissed) write("install-dismissed", String(Date.now()));
  installPrompt = null;
}

window.addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault(); // no browser mini-bar: we offer it at the right moment
  installPrompt = event;
  offerInstall();
});
window.addEventListener("appinstalled", () => closeInstall(false));
window.addEventListener("balie:answer", () => {
  answered = true;
  offerInstall();
});
$("install-yes").addEventListener("click", async () => {
  const prompt = installPrompt;
  if (!prompt) return closeInstall(false);
  prompt.prompt();
  const choice = await prompt.userChoice.catch(() => ({ outcome: "dismissed" }));
  closeInstall(choice.outcome !== "accepted");
});
$("install-no").addEventListener("click", () => closeInstall(true));

// --- notifications ----------------------------------------------------------------------------------
const canPush = canWork && "PushManager" in window && "Notification" in window;
const pushButton = $("push");

function token() {
  try { return JSON.parse(localStorage.getItem(key("token"))); } catch { return null; }
}

function showPush(on) {
  pushButton.hidden = false;
  pushButton.dataset.state = on ? "on" : "off";
  label(pushButton, on ? "push_off" : "push_on");
}

function serverKey() {
  const text = pwa.vapidKey.replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(text + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(raw, (ch) => ch.charCodeAt(0));
}

async function callServer(method, body) {
  const response = await fetch(pwa.push, {
    method,
    headers: { "Content-Type": "application/json", "X-Balie-Token": token() || "" },
    body: JSON.stringify(body),
  });
  if (!response.ok && !(method === "DELETE" && response.status === 404)) {
    throw new Error(String(response.status));
  }
}

async function currentSubscription() {
  const ready = await registration;
  return ready ? ready.pushManager.getSubscription() : null;
}

async function turnOn() {
  const permission = await Notification.requestPermission(); // asked only on this click
  if (permission !== "granted") {
    say(t("push_blocked"));
    return;
  }
  const ready = await navigator.serviceWorker.ready;
  const subscription = (await ready.pushManager.getSubscription())
    || (await ready.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: serverKey() }));
  await callServer("POST", subscription.toJSON());
  write("push", token());
  showPush(true);
  say(t("push_on_done"));
}

async function turnOff() {
  const subscription = await currentSubscription();
  if (subscription) {
    await callServer("DELETE", { endpoint: subscription.endpoint });
    await subscription.unsubscribe().catch(() => false);
  }
  write("push", null);
  showPush(false);
  say(t("push_off_done"));
}

async function pushIsOn() {
  if (read("push") !== token()) return false; // on for an earlier conversation: ask again
  return Notification.permission === "granted" && Boolean(await currentSubscription());
}

async function setUpPush() {
  if (!canPush || !token()) return;
  showPush(await pushIsOn().catch(() => false));
}

pushButton.addEventListener("click", async () => {
  pushButton.disabled = true;
  try {
    if (pushButton.dataset.state === "on") await turnOff();
    else await turnOn();
  } catch {
    say(t("push_failed"));
  } finally {
    pushButton.disabled = false;
  }
});
window.addEventListener("balie:conversation", setUpPush);
setUpPush();
