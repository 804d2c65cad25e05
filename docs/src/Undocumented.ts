import ts from "typescript"

/**
 * Every export of a package's entry point that has no TSDoc comment, as `Module.name` (or `Module` for the
 * module itself, whose comment sits on its `export * as` line). Type and value of one name count as one.
 */
export const undocumented = (entry: string, options: ts.CompilerOptions): ReadonlyArray<string> => {
  const program = ts.createProgram([entry], options)
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(entry)
  const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
  if (moduleSymbol === undefined) throw new Error(`no module at ${entry}`)
  const documented = (symbol: ts.Symbol) =>
    ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() !== "" ||
    symbol.getJsDocTags(checker).length > 0
  // `/** … */` just before `export * as Name`: TypeScript does not attach it to the alias, TypeDoc reads it.
  const commented = (symbol: ts.Symbol) =>
    (symbol.declarations ?? []).some((declaration) => {
      const statement = ts.isNamespaceExport(declaration) ? declaration.parent : declaration
      const text = statement.getSourceFile().getFullText()
      return (ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []).some((range) =>
        text.slice(range.pos, range.end).startsWith("/**")
      )
    })
  const missing: Array<string> = []
  for (const namespace of checker.getExportsOfModule(moduleSymbol)) {
    if (!documented(namespace) && !commented(namespace)) missing.push(namespace.name)
    const target = namespace.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(namespace) : namespace
    for (const member of checker.getExportsOfModule(target)) {
      const symbol = member.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(member) : member
      if (!documented(symbol)) missing.push(`${namespace.name}.${member.name}`)
    }
  }
  return missing
}
