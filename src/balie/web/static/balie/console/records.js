// Records pages: the print button of the destruction record (no inline scripts: strict CSP).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
