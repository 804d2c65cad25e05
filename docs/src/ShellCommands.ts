/** What a shell line may call: the workspace's packages and their scripts, the CLI, the API's paths. */
export interface Known {
  /** Scripts by package name; the root's under "". */
  readonly scripts: ReadonlyMap<string, ReadonlyArray<string>>
  /** The `taskdesk` command (`Cli.command`). */
  readonly cli: { readonly descriptor: unknown }
  readonly apiPaths: ReadonlyArray<string>
}

// pnpm's own commands that docs may use as they are.
const pnpmCommands = new Set(["install", "i", "add", "exec", "run", "dlx", "--version", "-v", "--help"])

/** Lines of a shell block with comments removed and continuations joined. */
const commandLines = (code: string): ReadonlyArray<string> =>
  code
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, ""))
    .filter((line) => line.trim() !== "")

// @effect/cli's descriptors as they are built (`Command.getSubcommands` flattens a level away, losing the nesting).
interface Descriptor {
  readonly _tag: string
  readonly name?: string
  readonly command?: Descriptor
  readonly parent?: Descriptor
  readonly children?: ReadonlyArray<Descriptor>
}

const nameOf = (d: Descriptor): string =>
  d._tag === "Map" && d.command
    ? nameOf(d.command)
    : d._tag === "Subcommands" && d.parent
      ? nameOf(d.parent)
      : (d.name ?? "")

const childrenOf = (d: Descriptor): ReadonlyArray<Descriptor> =>
  d._tag === "Map" && d.command ? childrenOf(d.command) : d._tag === "Subcommands" ? (d.children ?? []) : []

const cliProblems = (known: Known, words: ReadonlyArray<string>): ReadonlyArray<string> => {
  let node = known.cli.descriptor as Descriptor
  const path = ["taskdesk"]
  for (const word of words) {
    const children = childrenOf(node)
    if (children.length === 0 || word.startsWith("-")) return []
    const next = children.find((child) => nameOf(child) === word)
    if (next === undefined) return [`${path.join(" ")} has no command "${word}"`]
    node = next
    path.push(word)
  }
  return []
}

const pnpmProblems = (known: Known, words: ReadonlyArray<string>): ReadonlyArray<string> => {
  let rest = [...words]
  let pkg = ""
  while (rest[0] === "--filter" || rest[0] === "-F" || rest[0] === "-r" || rest[0] === "--recursive") {
    if (rest[0] === "-r" || rest[0] === "--recursive") rest = rest.slice(1)
    else {
      pkg = rest[1] ?? ""
      rest = rest.slice(2)
    }
  }
  const scripts = known.scripts.get(pkg)
  if (scripts === undefined) return [`no workspace package "${pkg}"`]
  let [command, ...args] = rest
  if (command === "run") [command, ...args] = args
  if (command === undefined) return []
  if (pnpmCommands.has(command) && !scripts.includes(command)) return []
  if (!scripts.includes(command)) return [`no script "${command}" in ${pkg === "" ? "the root package.json" : pkg}`]
  return pkg === "" && command === "taskdesk" ? cliProblems(known, args) : []
}

const pathMatches = (template: string, path: string): boolean => {
  const a = template.split("/")
  const b = path.split("/")
  return (
    a.length === b.length &&
    a.every((segment, i) => segment.startsWith("{") || segment === b[i] || /[$]/.test(b[i] ?? ""))
  )
}

/** What is wrong with the commands of a shell block: unknown scripts, CLI commands or API paths. */
export const problems = (known: Known, code: string): ReadonlyArray<string> =>
  commandLines(code).flatMap((line) => {
    const found: Array<string> = []
    for (const part of line.split(/&&|\|\||[;|()`]|\$\(/)) {
      const words = part.trim().split(/\s+/)
      const at = words.findIndex((w) => w === "pnpm" || w === "taskdesk" || /taskdesk\.mjs$/.test(w))
      if (at === -1) continue
      const head = words[at]
      const args = words.slice(at + 1)
      found.push(...(head === "pnpm" ? pnpmProblems(known, args) : cliProblems(known, args)))
    }
    for (const match of line.matchAll(/(?:\$\{?api\}?|https?:\/\/[^/\s"']+\/api)(\/[^\s"'?)]*)/g)) {
      const path = `/api${(match[1] ?? "").replace(/\/$/, "")}`
      if (!known.apiPaths.some((template) => pathMatches(template, path))) found.push(`no API path ${path}`)
    }
    return found
  })
