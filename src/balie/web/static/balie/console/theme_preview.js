// The theme page's live preview: the chosen colours and font on a small chat, and the
// contrast of each pair (WCAG 2.1's formula, as balie.tenants.theme computes it on saving).
const form = document.getElementById("theme-form");
const preview = document.getElementById("preview");
const words = document.getElementById("contrast-words");
const fonts = {
  system: 'system-ui, sans-serif', "Fira Sans": '"Fira Sans", system-ui, sans-serif',
  "Noto Sans": '"Noto Sans", system-ui, sans-serif', "Open Sans": '"Open Sans", system-ui, sans-serif',
  "Source Sans Pro": '"Source Sans Pro", system-ui, sans-serif', Roboto: "Roboto, system-ui, sans-serif",
  Verdana: "Verdana, sans-serif", Arial: "Arial, sans-serif", Georgia: "Georgia, serif",
};

function luminance(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function ratio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// A pair below the minimum is not shown (unreadable text helps no one): the preview keeps the
// pair's last readable colours, starting from the stored theme's.
const shownPair = {};
for (const output of preview.querySelectorAll("output[data-pair]")) {
  for (const name of output.dataset.pair.split(" ")) shownPair[name] = preview.dataset[name];
}

function update() {
  const value = (name) => form.elements[name].value.toLowerCase();
  const minimum = Number(words.dataset.min);
  for (const output of preview.querySelectorAll("output[data-pair]")) {
    const [text, background] = output.dataset.pair.split(" ");
    const r = Math.floor(ratio(value(text), value(background)) * 100) / 100;
    const number = r.toLocaleString(document.documentElement.lang || "nl", {
      minimumFractionDigits: 2, maximumFractionDigits: 2,
    });
    output.textContent = `${number}:1 (${r >= minimum ? words.dataset.ok : words.dataset.low})`;
    output.classList.toggle("low", r < minimum);
    if (r >= minimum) {
      shownPair[text] = value(text);
      shownPair[background] = value(background);
    }
  }
  for (const [name, colour] of Object.entries(shownPair)) {
    preview.style.setProperty(`--preview-${name.replaceAll("_", "-")}`, colour);
    const shown = form.querySelector(`.colour-value[data-for="${name}"]`);
    if (shown) shown.textContent = value(name);
  }
  preview.style.setProperty("--preview-font", fonts[value("font_family")] || fonts.system);
}

form.addEventListener("input", update);
update();
