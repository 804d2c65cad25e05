#!/usr/bin/env bash
# `pnpm test:node24`: runs the test suite (or the vitest arguments given) on Node 24, in this checkout as
# `pnpm install` left it under Node 20. Node 24 is the npm registry's `node` package, installed once into
# node_modules/.cache. See docs/architecture.md, "SQLite engine per runtime".
#
# Native modules: on Node 22 and later taskdesk's SQLite engine is better-sqlite3 13.x (the `better-sqlite3-13`
# alias), a Node-API addon that ships its binaries (linux, macOS, Windows; x64, arm64), as @node-rs/argon2 and
# esbuild ship theirs, so nothing is compiled. Where 13.x's binary does not load (another platform, a glibc
# older than 2.34), it is built from the sources in its package, offline, with node-gyp against Node 24's own
# headers: npm's nodedir may point at another Node's headers, and a plain rebuild would quietly target that Node.
# TASKDESK_NODE24_BUILD=1 builds it even when the binary loads.
set -euo pipefail
cd "$(dirname "$0")/.."

version=${TASKDESK_NODE24_VERSION:-24.21.0}
prefix="$PWD/node_modules/.cache/node-$version"
node24="$prefix/node_modules/node/bin/node"
if [ ! -x "$node24" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "node@$version"
fi
# The `node` package installs the binary from node-<platform>-<arch>, which also holds include/node.
headers=$(ls -d "$prefix"/node_modules/node/node_modules/node-*/include/node | head -n1)
nodedir=${headers%/include/node}
echo "Node $("$node24" -v) at $node24"

engine_dir=$(cd packages/adapters && "$node24" -p 'path.dirname(require.resolve("better-sqlite3-13/package.json"))')
loads() { "$node24" -e 'const Database = require(process.argv[1]); new Database(":memory:").close()' "$engine_dir"; }
if [ "${TASKDESK_NODE24_BUILD:-}" = 1 ] || ! loads 2>/dev/null; then
  echo "building better-sqlite3 13.x from source for Node $("$node24" -v) (headers: $nodedir)"
  node_gyp="$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js"
  (cd "$engine_dir" && npm_config_nodedir="$nodedir" "$node24" "$node_gyp" rebuild --release --force_build=1 \
    --nodedir="$nodedir" --loglevel=warn)
  loads
fi

# Anything the tests spawn by name (`node`) is Node 24 too; they spawn `process.execPath` already.
export PATH="$(dirname "$node24"):$PATH"
exec "$node24" node_modules/vitest/vitest.mjs run "$@"
