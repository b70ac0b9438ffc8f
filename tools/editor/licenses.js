// Prints the license of every package bundled into the editor (the build writes it to
// api/static/vendor/LICENSES.txt beside the bundle).
const fs = require("fs");
const path = require("path");
const lock = require("./package-lock.json");
const out = [];
for (const [where, meta] of Object.entries(lock.packages)) {
  if (!where || meta.dev) continue;
  const dir = path.join(__dirname, where);
  const file = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  out.push(`${where.replace(/^node_modules\//, "")} ${meta.version} (${meta.license || "see below"})`);
  if (file) out.push(fs.readFileSync(path.join(dir, file), "utf8").trim());
  out.push("");
}
process.stdout.write(out.join("\n") + "\n");
