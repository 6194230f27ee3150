// Copies the npm-installed front-end packages into static/vendor (gitignored), with their licenses.
// Run by `make assets` after `npm ci`; nothing third-party is hand-copied into the repository.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nm = join(root, "node_modules");
const out = join(root, "static", "vendor");

const copies = [
  ["bootstrap-italia/dist/css", "bootstrap-italia/css"],
  ["bootstrap-italia/dist/js/bootstrap-italia.bundle.min.js", "bootstrap-italia/js/bootstrap-italia.bundle.min.js"],
  ["bootstrap-italia/dist/fonts", "bootstrap-italia/fonts"],
  ["bootstrap-italia/dist/svg", "bootstrap-italia/svg"],
  ["bootstrap-italia/LICENSE", "bootstrap-italia/LICENSE"],
  ["socket.io-client/dist/socket.io.min.js", "socket.io/socket.io.min.js"],
  ["socket.io-client/LICENSE", "socket.io/LICENSE"],
  ["axe-core/axe.min.js", "axe-core/axe.min.js"],
  ["axe-core/LICENSE", "axe-core/LICENSE"],
];

rmSync(out, { recursive: true, force: true });
for (const [from, to] of copies) {
  const target = join(out, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(nm, from), target, { recursive: true });
}
console.log(`assets copied to ${out}`);
