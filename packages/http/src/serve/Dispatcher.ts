import {
  HttpApi,
  HttpApiBuilder,
  type HttpApiEndpoint,
  HttpApiError,
  type HttpApiMiddleware,
  HttpApiSchema,
  HttpMethod,
  type HttpMiddleware,
  type HttpServerRequest,
  HttpServerResponse,
  UrlParams
} from "@effect/platform"
import {
  type Chunk,
  Context,
  Data,
  Effect,
  Either,
  FiberRef,
  Option,
  ParseResult,
  Schema,
  type SchemaAST
} from "effect"

/**
 * The compiled dispatcher: each endpoint of an `HttpApi` turned, once, into a plain function from
 * a request to the effect answering it. The platform's router does the same work per request
 * through generic layers (a router lookup, a context merge per group, schema decoding through
 * effects, a success schema per response); here the matcher, the synchronous decoders, the
 * middleware and the group's services are fixed when the server starts.
 *
 * Groups register with `group`, which has `HttpApiBuilder.group`'s signature and also registers
 * the same handlers with the platform's router, so the `HttpApi` stays the one contract (OpenAPI,
 * `/docs`, typed clients) and anything the dispatcher does not compile (multipart payloads, path
 * patterns other than `:name`) is still served by the platform.
 *
 * A compiled route applies the middleware the platform's router applies, in the same order: the
 * endpoint's and its group's `HttpApiMiddleware` (security included), then the API's own
 * (`HttpApi.middleware`), then the server-wide `HttpApiBuilder.middleware` chain (our request
 * pipeline). A middleware it cannot apply stops the server at start-up (`UnsupportedMiddleware`).
 */

/** What an endpoint's handler is given, as `HttpApiBuilder` gives it. */
interface HandlerInput {
  request: HttpServerRequest.HttpServerRequest
  path?: unknown
  urlParams?: unknown
  payload?: unknown
  headers?: unknown
}

/** A request as the dispatcher sees it: the path's parameters and the query string already split off. */
export interface Matched {
  readonly route: Route
  readonly params: Record<string, string>
  readonly query: string
}

/** One compiled endpoint. */
export interface Route {
  readonly method: string
  readonly path: string
  /** Literal segments as strings, parameters as `{ name }`. */
  readonly segments: ReadonlyArray<string | { readonly name: string }>
  /** The group's services, which its handler is run with. */
  readonly context: Context.Context<never>
  readonly run: (
    request: HttpServerRequest.HttpServerRequest,
    params: Record<string, string>,
    query: string
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest>
}

/** The routes of one server, indexed by method and number of segments; literal segments win over parameters. */
export class Routes {
  private readonly index = new Map<string, Array<Route>>()

  add(route: Route): void {
    const key = `${route.method} ${route.segments.length}`
    const list = this.index.get(key) ?? []
    list.push(route)
    list.sort(compareRoutes)
    this.index.set(key, list)
  }

  get size(): number {
    let n = 0
    for (const list of this.index.values()) n += list.length
    return n
  }

  match(method: string, url: string): Matched | undefined {
    const q = url.indexOf("?")
    const path = q === -1 ? url : url.slice(0, q)
    if (path.charCodeAt(0) !== 47) return undefined
    const parts = path.slice(1).split("/")
    const list = this.index.get(`${method} ${parts.length}`)
    if (list === undefined) return undefined
    for (const route of list) {
      const params = matchSegments(route.segments, parts)
      if (params !== undefined) return { route, params, query: q === -1 ? "" : url.slice(q + 1) }
    }
    return undefined
  }
}

const compareRoutes = (a: Route, b: Route) => {
  for (let i = 0; i < a.segments.length; i++) {
    const x = typeof a.segments[i] === "string"
    const y = typeof b.segments[i] === "string"
    if (x !== y) return x ? -1 : 1
  }
  return 0
}

const matchSegments = (
  segments: ReadonlyArray<string | { readonly name: string }>,
  parts: ReadonlyArray<string>
): Record<string, string> | undefined => {
  let params: Record<string, string> | undefined
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!
    const part = parts[i]!
    if (typeof segment === "string") {
      if (segment !== part) return undefined
    } else {
      if (part === "") return undefined
      let value = part
      if (part.includes("%")) {
        try {
          value = decodeURIComponent(part)
        } catch {
          return undefined
        }
      }
      params ??= {}
      params[segment.name] = value
    }
  }
  return params ?? {}
}

/** Splits `/api/tasks/:id` into segments; undefined for patterns the dispatcher leaves to the platform. */
const parsePath = (path: string): Array<string | { readonly name: string }> | undefined => {
  if (!path.startsWith("/")) return undefined
  const segments: Array<string | { readonly name: string }> = []
  for (const part of path.slice(1).split("/")) {
    if (part.startsWith(":")) {
      const name = part.slice(1)
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined
      segments.push({ name })
    } else if (/[*?:()]/.test(part)) {
      return undefined
    } else {
      segments.push(part)
    }
  }
  return segments
}

// The servers' route tables, keyed by the platform router they sit beside: one per server built.
const tables = new WeakMap<object, Routes>()

/** The compiled routes registered beside this platform router. */
export const routesOf = (router: object): Routes => {
  let routes = tables.get(router)
  if (routes === undefined) {
    routes = new Routes()
    tables.set(router, routes)
  }
  return routes
}

const failDecode = (error: ParseResult.ParseError) => HttpApiError.HttpApiDecodeError.refailParseError(error)

type Decoder = (input: unknown) => Either.Either<unknown, ParseResult.ParseError>

const syncDecoder = (schema: Schema.Schema.Any): Decoder =>
  Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown, never>)

// `HttpApiBuilder`'s own (internal, not exported): whether a query key holds one string, not a list.
function isSingleStringType(ast: SchemaAST.AST, key?: PropertyKey): boolean {
  switch (ast._tag) {
    case "StringKeyword":
    case "Literal":
    case "TemplateLiteral":
    case "Enums":
      return true
    case "TypeLiteral": {
      if (key !== undefined) {
        const ps = ast.propertySignatures.find((ps) => ps.name === key)
        return ps !== undefined
          ? isSingleStringType(ps.type, key)
          : ast.indexSignatures.some((is) => Schema.is(Schema.make(is.parameter))(key) && isSingleStringType(is.type))
      }
      return false
    }
    case "Union":
      return ast.types.some((type) => isSingleStringType(type, key))
    case "Suspend":
      return isSingleStringType(ast.f(), key)
    case "Refinement":
    case "Transformation":
      return isSingleStringType(ast.from, key)
  }
  return false
}

/** The query as the platform parses it: repeated keys become arrays. */
const parseQuery = (query: string): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = {}
  if (query === "") return out
  for (const [key, value] of new URLSearchParams(query)) {
    const previous = out[key]
    out[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value]
  }
  return out
}

/** As the platform: a key the schema wants as an array gets one even when it came once. */
const normalizeQuery = (
  params: Record<string, string | Array<string>>,
  ast: SchemaAST.AST
): Record<string, string | Array<string>> => {
  const out: Record<string, string | Array<string>> = {}
  for (const key in params) {
    const value = params[key]!
    out[key] = Array.isArray(value) || isSingleStringType(ast, key) ? value : [value]
  }
  return out
}

/** The body as the platform reads it for a payload, by content type. */
const readPayload = (
  request: HttpServerRequest.HttpServerRequest,
  query: Record<string, string | Array<string>>
): Effect.Effect<unknown> => {
  if (!HttpMethod.hasBody(request.method)) return Effect.succeed(query)
  const type = request.headers["content-type"]?.toLowerCase().trim() ?? "application/json"
  if (type.includes("application/json")) return Effect.orDie(request.json)
  if (type.includes("x-www-form-urlencoded")) return Effect.map(Effect.orDie(request.urlParamsBody), UrlParams.toRecord)
  if (type.startsWith("text/")) return Effect.orDie(request.text)
  return Effect.map(Effect.orDie(request.arrayBuffer), (buffer) => new Uint8Array(buffer))
}

/** The response for a handler's value, as the platform's success schema makes it. */
const successEncoder = (
  schema: Schema.Schema.Any
): ((value: unknown) => Effect.Effect<HttpServerResponse.HttpServerResponse, ParseResult.ParseError>) => {
  const members = new Set<Schema.Schema.Any>()
  HttpApiSchema.deunionize(members, schema)
  const encoders = Array.from(members, (member) => {
    const ast = member.ast
    const status = HttpApiSchema.getStatusSuccessAST(ast)
    const is = Schema.is(Schema.typeSchema(member as Schema.Schema<unknown, unknown, never>))
    if (HttpApiSchema.isVoid(ast)) {
      return { is, encode: () => Effect.succeed(HttpServerResponse.empty({ status })) }
    }
    const encode = Schema.encodeUnknownEither(member as Schema.Schema<unknown, unknown, never>)
    const encoding = HttpApiSchema.getEncoding(ast)
    const options = { status, contentType: encoding.contentType }
    return {
      is,
      encode: (value: unknown): Effect.Effect<HttpServerResponse.HttpServerResponse, ParseResult.ParseError> => {
        const encoded = encode(value)
        if (Either.isLeft(encoded)) return Effect.fail(encoded.left)
        const data = encoded.right
        switch (encoding.kind) {
          case "Json":
            return Effect.orDie(HttpServerResponse.json(data, options))
          case "Text":
            return Effect.succeed(HttpServerResponse.text(data as string, options))
          case "Uint8Array":
            return Effect.succeed(HttpServerResponse.uint8Array(data as Uint8Array, options))
          case "UrlParams":
            return Effect.succeed(HttpServerResponse.urlParams(data as UrlParams.Input, options))
        }
      }
    }
  })
  if (encoders.length === 1) return encoders[0]!.encode
  return (value) => (encoders.find((e) => e.is(value)) ?? encoders[0]!).encode(value)
}

type MiddlewareEntry = { readonly tag: HttpApiMiddleware.TagClassAny; readonly service: unknown }

/** A middleware's effect, as `HttpApiBuilder` applies it (security schemes tried in turn). */
const middlewareEffect = (
  entry: MiddlewareEntry
): Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest> => {
  const tag = entry.tag as HttpApiMiddleware.TagClassAny & {
    readonly security?: Record<string, Parameters<typeof HttpApiBuilder.securityDecode>[0]>
  }
  if (tag.security === undefined) return entry.service as Effect.Effect<unknown>
  const handlers = entry.service as Record<string, (credential: unknown) => Effect.Effect<unknown, unknown>>
  let effect: Effect.Effect<unknown, unknown, HttpServerRequest.HttpServerRequest> | undefined
  for (const [key, security] of Object.entries(tag.security)) {
    const decode = HttpApiBuilder.securityDecode(security) as Effect.Effect<
      unknown,
      never,
      HttpServerRequest.HttpServerRequest
    >
    const attempt = Effect.flatMap(decode, handlers[key]!)
    effect = effect === undefined ? attempt : Effect.catchAll(effect, () => attempt)
  }
  return effect ?? Effect.void
}

/** Wraps a handler in its middleware, as `HttpApiBuilder` does; built once per endpoint. */
const middlewareWrapper = (
  entries: ReadonlyArray<MiddlewareEntry>
): (<A, E, R>(
  handler: Effect.Effect<A, E, R>
) => Effect.Effect<A, unknown, R | HttpServerRequest.HttpServerRequest>) => {
  const steps = entries.map((entry) => ({
    effect: middlewareEffect(entry),
    provides: entry.tag.provides as Context.Tag<unknown, unknown> | undefined,
    optional: entry.tag.optional
  }))
  return <A, E, R>(handler: Effect.Effect<A, E, R>) => {
    let result = handler as Effect.Effect<A, unknown, R | HttpServerRequest.HttpServerRequest>
    for (const { effect, provides, optional } of steps) {
      const previous = result
      if (optional) {
        result = Effect.matchEffect(effect, {
          onFailure: () => previous,
          onSuccess: (value) => (provides === undefined ? previous : Effect.provideService(previous, provides, value))
        })
      } else {
        // Every request has a fiber of its own, so what a middleware provides is added to that
        // fiber's context for the rest of the request rather than scoped to the handler: the same
        // for the handler, without the save and restore `provideService` costs.
        result =
          provides === undefined
            ? Effect.zipRight(effect, previous)
            : Effect.flatMap(effect, (value) =>
                Effect.zipRight(
                  FiberRef.update(FiberRef.currentContext, (context) => Context.add(context, provides, value)),
                  previous
                )
              )
      }
    }
    return result
  }
}

interface HandlerItem {
  readonly endpoint: HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
  readonly handler: (input: HandlerInput) => Effect.Effect<unknown, unknown>
  readonly withFullRequest: boolean
  readonly uninterruptible: boolean
}

/** Compiles one endpoint; undefined when the platform must serve it (multipart, unusual paths). */
const compile = (
  item: HandlerItem,
  middleware: ReadonlyArray<MiddlewareEntry>,
  context: Context.Context<never>
): Route | undefined => {
  const endpoint = item.endpoint
  const segments = parsePath(endpoint.path)
  if (segments === undefined) return undefined
  const multipart = Option.match(endpoint.payloadSchema, {
    onNone: () => false,
    onSome: ({ ast }) =>
      HttpApiSchema.getMultipart(ast) !== undefined || HttpApiSchema.getMultipartStream(ast) !== undefined
  })
  if (multipart) return undefined
  const decodePath = Option.getOrUndefined(Option.map(endpoint.pathSchema, syncDecoder))
  const decodePayload = item.withFullRequest
    ? undefined
    : Option.getOrUndefined(Option.map(endpoint.payloadSchema, syncDecoder))
  const decodeHeaders = Option.getOrUndefined(Option.map(endpoint.headersSchema, syncDecoder))
  const urlParamsSchema = Option.getOrUndefined(endpoint.urlParamsSchema)
  const decodeUrlParams = urlParamsSchema === undefined ? undefined : syncDecoder(urlParamsSchema)
  const encodeSuccess = successEncoder(endpoint.successSchema)
  const handler = item.handler
  const withMiddleware = middlewareWrapper(middleware)

  const answer = (input: HandlerInput) =>
    Effect.flatMap(handler(input), (value) =>
      HttpServerResponse.isServerResponse(value) ? Effect.succeed(value) : encodeSuccess(value)
    )

  // Path, headers and query decode synchronously; only a body is read through an effect.
  const decodeAndAnswer = (
    request: HttpServerRequest.HttpServerRequest,
    params: Record<string, string>,
    query: string
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, unknown> => {
    const input: HandlerInput = { request }
    if (decodePath !== undefined) {
      const path = decodePath(params)
      if (Either.isLeft(path)) return failDecode(path.left)
      input.path = path.right
    }
    if (decodeHeaders !== undefined) {
      const headers = decodeHeaders(request.headers)
      if (Either.isLeft(headers)) return failDecode(headers.left)
      input.headers = headers.right
    }
    const body = HttpMethod.hasBody(request.method)
    const search = decodeUrlParams !== undefined || (decodePayload !== undefined && !body) ? parseQuery(query) : {}
    if (decodeUrlParams !== undefined) {
      const urlParams = decodeUrlParams(normalizeQuery(search, urlParamsSchema!.ast))
      if (Either.isLeft(urlParams)) return failDecode(urlParams.left)
      input.urlParams = urlParams.right
    }
    if (decodePayload === undefined) return answer(input)
    return Effect.flatMap(readPayload(request, search), (raw) => {
      const payload = decodePayload(raw)
      if (Either.isLeft(payload)) return failDecode(payload.left)
      input.payload = payload.right
      return answer(input)
    })
  }

  const run: Route["run"] = (request, params, query) => {
    const guarded = withMiddleware(Effect.suspend(() => decodeAndAnswer(request, params, query)))
    return Effect.catchIf(
      // As in the platform: the request's fiber is uninterruptible but for the handler, so an
      // interruption (a timeout, a client gone) can still be answered around it.
      item.uninterruptible ? guarded : Effect.interruptible(guarded),
      ParseResult.isParseError,
      failDecode
    ) as Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest>
  }
  return { method: endpoint.method, path: endpoint.path, segments, context, run }
}

/** A middleware the dispatcher cannot apply as the platform would: the server refuses to start. */
export class UnsupportedMiddleware extends Data.TaggedError("UnsupportedMiddleware")<{
  readonly middleware: string
  readonly endpoint: string
  readonly reason: string
}> {
  override get message() {
    return `the dispatcher cannot apply middleware ${this.middleware} on ${this.endpoint}: ${this.reason}`
  }
}

/** Why the dispatcher cannot apply a middleware's implementation, if it cannot. */
const unsupported = (tag: HttpApiMiddleware.TagClassAny, service: Option.Option<unknown>): string | undefined => {
  if (Option.isNone(service)) return "no implementation of it is provided"
  const security = (tag as { readonly security?: Record<string, unknown> }).security
  if (security === undefined) {
    return Effect.isEffect(service.value) ? undefined : "its implementation is not an effect"
  }
  const handlers = service.value as Record<string, unknown> | null
  const missing = Object.keys(security).filter((key) => typeof handlers?.[key] !== "function")
  return missing.length === 0 ? undefined : `no handler for its security scheme ${missing.join(", ")}`
}

/**
 * The middleware of an endpoint in `HttpApiBuilder`'s order: the group's, then the endpoint's, by
 * tag; `UnsupportedMiddleware` for one the dispatcher cannot apply.
 */
const middlewareOf = (
  tags: ReadonlyArray<ReadonlySet<HttpApiMiddleware.TagClassAny>>,
  context: Context.Context<never>,
  endpoint: string
): Either.Either<Array<MiddlewareEntry>, UnsupportedMiddleware> => {
  const byKey = new Map<string, MiddlewareEntry>()
  for (const set of tags) {
    for (const tag of set) {
      const service = Context.getOption(context, tag as unknown as Context.Tag<never, unknown>)
      const reason = unsupported(tag, service)
      if (reason !== undefined) return Either.left(new UnsupportedMiddleware({ middleware: tag.key, endpoint, reason }))
      byKey.set(tag.key, { tag, service: Option.getOrThrow(service) })
    }
  }
  return Either.right([...byKey.values()])
}

/** Compiles a group's handlers, as the platform's builder collected them, into the server's route table. */
const compileGroup = (
  api: HttpApi.HttpApi.Any,
  groupName: string,
  built: { readonly handlers: Chunk.Chunk<HandlerItem> }
): Effect.Effect<void, never, HttpApiBuilder.Router> =>
  Effect.flatMap(HttpApiBuilder.Router, (router) =>
    Effect.flatMap(Effect.context<never>(), (context) => {
      const group = (api as unknown as HttpApi.HttpApi.AnyWithProps).groups[groupName]!
      const routes = routesOf(router)
      for (const item of built.handlers) {
        const name = `${item.endpoint.method} ${item.endpoint.path}`
        const middleware = middlewareOf([group.middlewares, item.endpoint.middlewares], context, name)
        if (Either.isLeft(middleware)) return Effect.die(middleware.left)
        const route = compile(item, middleware.right, context)
        if (route !== undefined) routes.add(route)
      }
      return Effect.void
    })
  )

/**
 * Implements a group of the API: `HttpApiBuilder.group`, whose handlers are compiled for the
 * dispatcher too. Its build function runs once; the platform's router and the dispatcher share
 * the handlers it made.
 */
export const group: typeof HttpApiBuilder.group = ((
  api: HttpApi.HttpApi.Any,
  groupName: string,
  build: (handlers: never) => unknown
) =>
  (HttpApiBuilder.group as unknown as (a: unknown, b: unknown, c: (handlers: never) => unknown) => unknown)(
    api,
    groupName,
    (handlers) => {
      const result = build(handlers)
      const built = (Effect.isEffect(result) ? result : Effect.succeed(result)) as Effect.Effect<{
        readonly handlers: Chunk.Chunk<HandlerItem>
      }>
      return Effect.tap(built, (collected) => compileGroup(api, groupName, collected))
    }
  )) as unknown as typeof HttpApiBuilder.group

/**
 * Serves a matched route as the platform's `HttpApiBuilder.httpApp` serves its router: inside the
 * API's own middleware (`HttpApi.middleware`), then the server-wide `HttpApiBuilder.middleware`
 * chain. Built once per server; fails with `UnsupportedMiddleware` for an API middleware the
 * dispatcher cannot apply.
 */
export const serving: Effect.Effect<
  (
    matched: Matched,
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, unknown, HttpServerRequest.HttpServerRequest>,
  never,
  HttpApi.Api | HttpApiBuilder.Middleware
> = Effect.gen(function* () {
  const { api, context } = yield* HttpApi.Api
  const entries = middlewareOf(
    [api.middlewares as ReadonlySet<HttpApiMiddleware.TagClassAny>],
    context,
    "every endpoint"
  )
  if (Either.isLeft(entries)) return yield* Effect.die(entries.left)
  const apiMiddleware = entries.right.length === 0 ? undefined : middlewareWrapper(entries.right)
  const global = (yield* (yield* HttpApiBuilder.Middleware).retrieve) as HttpMiddleware.HttpMiddleware
  return (matched, request) => {
    const run = matched.route.run(request, matched.params, matched.query)
    return global(apiMiddleware === undefined ? run : apiMiddleware(run)) as Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      unknown,
      HttpServerRequest.HttpServerRequest
    >
  }
})
