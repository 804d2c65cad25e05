import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"

/** A fenced block of a Markdown file: its language, the words after it, and the line its code starts on. */
export interface Block {
  readonly file: string
  readonly line: number
  readonly lang: string
  readonly meta: ReadonlyArray<string>
  readonly code: string
}

/** The Markdown files the docs' tests read: README.md and every `docs/**.md`, relative to the root. */
export const markdownFiles = (root: string): ReadonlyArray<string> => {
  const found: Array<string> = ["README.md"]
  const visit = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && !entry.name.startsWith(".") && entry.name !== "api") visit(path)
      } else if (entry.name.endsWith(".md")) found.push(relative(root, join(root, path)))
    }
  }
  visit("docs")
  return found.sort()
}

/** Every fenced block (``` or ~~~) of a Markdown text. */
export const extract = (file: string, markdown: string): ReadonlyArray<Block> => {
  const blocks: Array<Block> = []
  const lines = markdown.split("\n")
  let open: { fence: string; lang: string; meta: Array<string>; line: number; code: Array<string> } | undefined
  lines.forEach((text, index) => {
    const fence = /^\s*(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(text)
    if (open === undefined) {
      if (fence?.[1] !== undefined) {
        open = {
          fence: fence[1],
          lang: fence[2] ?? "",
          meta: (fence[3] ?? "").split(/\s+/).filter((w) => w !== ""),
          line: index + 2,
          code: []
        }
      }
    } else if (fence?.[1]?.startsWith(open.fence) && fence[2] === "") {
      blocks.push({ file, line: open.line, lang: open.lang, meta: open.meta, code: open.code.join("\n") })
      open = undefined
    } else open.code.push(text)
  })
  return blocks
}

/** Every block of the docs, read from the files under `root`. */
export const all = (root: string): ReadonlyArray<Block> =>
  markdownFiles(root).flatMap((file) => extract(file, readFileSync(join(root, file), "utf8")))

/** Blocks whose language is TypeScript, and whether they are marked as not checked. */
export const isTypeScript = (block: Block): boolean => block.lang === "ts" || block.lang === "typescript"
export const isShell = (block: Block): boolean => block.lang === "sh" || block.lang === "bash" || block.lang === "shell"
export const unchecked = (block: Block): boolean => block.meta.includes("no-check")
