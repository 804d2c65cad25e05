// Effect-aware deep equality for every test of the workspace (see packages/core/testing/equality.ts).
import "./packages/core/testing/equality.js"
