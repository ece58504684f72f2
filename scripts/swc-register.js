/**
 * Lets plain `node` run the TypeScript sources without a build: `npm run dev`, and tests that start
 * the service as separate OS processes:
 *
 *   node -r ./scripts/swc-register.js src/server.ts
 *
 * Each .ts file is compiled with @swc/core to CommonJS when it is first required, with the same
 * options as the jest transform (jest.config.js), so the processes run exactly the code the tests see.
 */
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
