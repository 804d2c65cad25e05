import type * as Http from "node:http"
import {
  Cookies,
  type FileSystem,
  type Headers,
  HttpIncomingMessage,
  type HttpMethod,
  HttpServerError,
  HttpServerRequest,
  type Multipart,
  type Path,
  type Socket,
  UrlParams
} from "@effect/platform"
import * as NodeMultipart from "@effect/platform-node/NodeMultipart"
import * as NodeStream from "@effect/platform-node/NodeStream"
import { Deferred, Effect, FiberId, Inspectable, Option, type Scope, type Stream } from "effect"

/**
 * A Node request as the platform's `HttpServerRequest`, for the compiled dispatcher. It behaves as
 * `@effect/platform-node`'s own (whose class is internal): headers, cookies and the body are read
 * lazily, the body once, within the fiber's `MaxBodySize`. It cannot be upgraded: upgrades go to
 * the platform's handler, which Node calls on another event.
 */
export class NodeRequest extends Inspectable.Class implements HttpServerRequest.HttpServerRequest {
  readonly [HttpServerRequest.TypeId]: HttpServerRequest.TypeId = HttpServerRequest.TypeId
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId

  constructor(
    readonly source: Http.IncomingMessage,
    readonly response: Http.ServerResponse,
    readonly url: string = source.url!,
    private headersOverride?: Headers.Headers,
    private remoteAddressOverride?: string
  ) {
    super()
  }

  private readonly onError = (cause: unknown): HttpServerError.RequestError =>
    new HttpServerError.RequestError({ request: this, reason: "Decode", cause })

  get originalUrl(): string {
    return this.source.url!
  }

  get method(): HttpMethod.HttpMethod {
    return this.source.method!.toUpperCase() as HttpMethod.HttpMethod
  }

  get headers(): Headers.Headers {
    this.headersOverride ??= this.source.headers as Headers.Headers
    return this.headersOverride
  }

  private cachedCookies: Record<string, string> | undefined
  get cookies(): Record<string, string> {
    this.cachedCookies ??= Cookies.parseHeader(this.headers.cookie ?? "")
    return this.cachedCookies
  }

  get remoteAddress(): Option.Option<string> {
    return Option.fromNullable(this.remoteAddressOverride ?? this.source.socket.remoteAddress)
  }

  // The body, read once: the first reader reads it, later ones (the idempotency check, then the
  // payload's decoder) get the same answer. A plain deferred, not `Effect.cached`, which costs a
  // synchronous run per request.
  private body: Deferred.Deferred<string, HttpServerError.RequestError> | undefined
  get text(): Effect.Effect<string, HttpServerError.RequestError> {
    return Effect.suspend(() => {
      if (this.body !== undefined) return Deferred.await(this.body)
      const body = Deferred.unsafeMake<string, HttpServerError.RequestError>(FiberId.none)
      this.body = body
      return Effect.flatMap(HttpIncomingMessage.MaxBodySize, (maxBodySize) =>
        Effect.exit(
          NodeStream.toString(() => this.source, {
            onFailure: this.onError,
            maxBytes: Option.getOrUndefined(maxBodySize)
          })
        )
      ).pipe(Effect.flatMap((exit) => Effect.zipRight(Deferred.done(body, exit), exit)))
    })
  }

  get json(): Effect.Effect<unknown, HttpServerError.RequestError> {
    return Effect.tryMap(this.text, {
      try: (text) => (text === "" ? null : (JSON.parse(text) as unknown)),
      catch: this.onError
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpServerError.RequestError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: this.onError })
    )
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpServerError.RequestError> {
    return Effect.flatMap(HttpIncomingMessage.MaxBodySize, (maxBodySize) =>
      NodeStream.toUint8Array(() => this.source, {
        onFailure: this.onError,
        maxBytes: Option.getOrUndefined(maxBodySize)
      })
    ) as unknown as Effect.Effect<ArrayBuffer, HttpServerError.RequestError>
  }

  get stream(): Stream.Stream<Uint8Array, HttpServerError.RequestError> {
    return NodeStream.fromReadable<HttpServerError.RequestError, Uint8Array>(() => this.source, this.onError)
  }

  get multipart(): Effect.Effect<
    Multipart.Persisted,
    Multipart.MultipartError,
    Scope.Scope | FileSystem.FileSystem | Path.Path
  > {
    return NodeMultipart.persisted(this.source, this.source.headers)
  }

  get multipartStream(): Stream.Stream<Multipart.Part, Multipart.MultipartError> {
    return NodeMultipart.stream(this.source, this.source.headers)
  }

  get upgrade(): Effect.Effect<Socket.Socket, HttpServerError.RequestError> {
    return Effect.fail(
      new HttpServerError.RequestError({ request: this, reason: "Decode", description: "not an upgrade request" })
    )
  }

  modify(options: {
    readonly url?: string | undefined
    readonly headers?: Headers.Headers | undefined
    readonly remoteAddress?: string | undefined
  }): NodeRequest {
    return new NodeRequest(
      this.source,
      this.response,
      options.url ?? this.url,
      options.headers ?? this.headersOverride,
      options.remoteAddress ?? this.remoteAddressOverride
    )
  }

  override toString(): string {
    return `ServerRequest(${this.method} ${this.url})`
  }

  override toJSON(): unknown {
    return { _id: "@effect/platform/HttpServerRequest", method: this.method, url: this.originalUrl }
  }
}
