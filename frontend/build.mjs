// Collects the NL Design System component CSS that package.json pins into one file Balie
// serves: src/balie/web/static/balie/nlds/utrecht.css (git-ignored; decision 0036).
// Run after `npm ci --ignore-scripts` in this folder: `node frontend/build.mjs` (make nlds).
// Node's standard library only; the minified build each package ships, in package.json order.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const target = join(here, "..", "src", "balie", "web", "static", "balie", "nlds", "utrecht.css");
const { dependencies } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

const parts = [
  "/* NL Design System components by the Municipality of Utrecht and the NL Design System " +
    "community (EUPL-1.2), collected by frontend/build.mjs. */",
];
for (const [name, version] of Object.entries(dependencies)) {
  const folder = join(here, "node_modules", ...name.split("/"));
  const installed = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")).version;
  if (installed !== version) {
    throw new Error(`${name}: ${installed} installed, ${version} pinned; run npm ci`);
  }
  const css = readFileSync(join(folder, "dist", "index.min.css"), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")  // the licence header, said once above
    .trim();
  parts.push(`/* ${name}@${version} */`, css);
}
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, parts.join("\n") + "\n");
console.log(`wrote ${target} (${parts.length / 2 | 0} packages)`);
