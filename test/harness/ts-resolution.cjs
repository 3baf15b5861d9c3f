// Jest loads globalSetup/globalTeardown through CommonJS require (with its transform), where
// moduleNameMapper does not apply: map our ESM-style "./file.js" specifiers to the ".ts" sources.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (parent && request.startsWith('.') && request.endsWith('.js')) {
    const candidate = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + '.ts');
    if (fs.existsSync(candidate)) return candidate;
  }
  return resolve.call(this, request, parent, ...rest);
};
