{% autoescape off %}/* Balie chat widget: paste <script src=".../c/<slug>/widget.js" defer></script> into a page.
   Adds a "Chat met de gemeente" button that opens the chat in a frame. No dependencies; styles
   live in a shadow root so the host page and the widget cannot disturb each other. */
(() => {
  "use strict";
  const CONFIG = {{ widget_json }};
  const script = document.currentScript;
  if (!script || window.balieWidget) return;
  const origin = new URL(script.src, location.href).origin;
  const lang = /^en\b/i.test(document.documentElement.lang || "") ? "en" : "nl";
  const t = (key) => CONFIG.strings[lang][key].replace("%(organisation)s", CONFIG.organisation);
  const chatUrl = `${origin}${CONFIG.chatPath}?embed=1${lang === "en" ? "&lang=en" : ""}`;

  const host = document.createElement("div");
  host.className = "balie-widget";
  const root = host.attachShadow({ mode: "open" });
  // The organisation's theme (its --balie-* tokens, for :root and :host alike): the values
  // after the commas below are the default theme's, used until it has loaded.
  const themeLink = document.createElement("link");
  themeLink.rel = "stylesheet";
  themeLink.href = `${origin}${CONFIG.themePath}`;
  root.innerHTML = `<style>
    :host { all: initial; }
    * { box-sizing: border-box; }
    .launcher {
      position: fixed; right: 16px; bottom: 16px; z-index: 2147483000;
      display: inline-flex; align-items: center; gap: 8px; min-height: 48px;
      padding: 10px 18px; border: 2px solid var(--balie-color-primary-text, #fff); border-radius: 999px;
      background: var(--balie-color-primary, #154273); color: var(--balie-color-primary-text, #fff);
      cursor: pointer; font-weight: 600; font-size: 16px; line-height: 1.2;
      font-family: var(--balie-font-family, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif);
      box-shadow: 0 4px 14px rgba(0, 0, 0, .3);
    }
    .launcher:hover { background: var(--balie-color-primary-hover, #0e2f52); }
    .launcher:focus-visible, .close:focus-visible {
      outline: 3px solid #1b1b1b; outline-offset: 2px; box-shadow: 0 0 0 6px #ffbf47;
    }
    .panel {
      position: fixed; right: 16px; bottom: 80px; z-index: 2147483001;
      width: 380px; height: min(640px, calc(100vh - 100px));
      display: flex; flex-direction: column; overflow: hidden;
      background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0, 0, 0, .35);
    }
    .panel[hidden] { display: none; }
    .bar {
      display: flex; align-items: center; justify-content: space-between; gap: 8px;
      padding: 4px 4px 4px 14px;
      background: var(--balie-color-primary, #154273); color: var(--balie-color-primary-text, #fff);
      font-weight: 600; font-size: 16px; line-height: 1.3;
      font-family: var(--balie-font-family, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif);
    }
    .bar .logo { height: 28px; width: auto; max-width: 80px; object-fit: contain;
      margin-right: 8px; padding: 2px; border-radius: 4px; background: #fff; vertical-align: middle; }
    .close {
      min-width: 44px; min-height: 44px; border: 0; border-radius: 50%;
      background: transparent; color: var(--balie-color-primary-text, #fff);
      font-size: 26px; line-height: 1; cursor: pointer;
    }
    iframe { flex: 1; width: 100%; border: 0; }
    @media (max-width: 480px) {
      .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
      .panel:not([hidden]) ~ .launcher { display: none; }
    }
    @media (forced-colors: active) { .launcher, .panel { border: 2px solid CanvasText; } }
  </style>
  <div class="panel" id="panel" role="dialog" hidden>
    <div class="bar"><span class="title" id="title"></span>
      <button type="button" class="close"><span aria-hidden="true">×</span></button></div>
  </div>
  <button type="button" class="launcher" aria-expanded="false" aria-controls="panel">
    <svg aria-hidden="true" focusable="false" width="22" height="22" viewBox="0 0 24 24">
      <path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/>
    </svg><span class="label"></span>
  </button>`;

  root.prepend(themeLink);
  const panel = root.querySelector(".panel");
  const launcher = root.querySelector(".launcher");
  const close = root.querySelector(".close");
  root.querySelector(".title").textContent = t("page_title");
  if (CONFIG.logoPath) {
    const logo = document.createElement("img");
    logo.className = "logo";
    logo.src = `${origin}${CONFIG.logoPath}`;
    logo.alt = "";
    root.querySelector(".title").prepend(logo);
  }
  root.querySelector(".label").textContent = t("widget_open");
  panel.setAttribute("aria-labelledby", "title");
  close.setAttribute("aria-label", t("widget_close"));
  let frame = null;

  function focusChat() {
    frame.focus();
    frame.contentWindow?.postMessage({ type: "balie:focus" }, origin);
  }

  function open() {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = chatUrl;
      frame.title = t("page_title");
      frame.addEventListener("load", focusChat);
      panel.append(frame);
    } else {
      focusChat();
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.querySelector(".label").textContent = t("widget_close");
  }

  function shut() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.querySelector(".label").textContent = t("widget_open");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : shut()));
  close.addEventListener("click", shut);
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) shut();
  });
  window.addEventListener("message", (event) => {
    if (event.origin === origin && frame && event.source === frame.contentWindow
        && event.data && event.data.type === "balie:close") shut();
  });

  window.balieWidget = { open, close: shut };
  const mount = () => document.body.append(host);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
{% endautoescape %}
