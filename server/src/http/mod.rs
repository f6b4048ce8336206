//! The HTTP surface: the router ([`app`], [`routes`]) and the layers every
//! response goes through. The handlers live one file per resource ([`organizations`],
//! [`removal_requests`], [`departures`]); they share [`state::AppState`], take what
//! [`extract`] checked, call the async [`Store`](crate::store::Store), and answer [`views`] or
//! an [`error::ApiError`]. The demo logos are [`crate::site::logos`]'s.

pub mod caller;
pub mod departures;
pub mod error;
pub mod extract;
pub mod framing;
pub mod organizations;
pub mod rate_limit;
pub mod removal_requests;
pub mod state;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use self::caller::Identity;
use self::departures::{forget_departure, list_departures, DEPARTURES_PATH};
use self::error::ApiError;
use self::organizations::{
    get_organization, leave_organization, list_access, list_organizations, me, ORGANIZATIONS_PATH,
};
use self::rate_limit::RateLimit;
use self::removal_requests::{cancel_removal, list_removal_requests, request_removal};
use self::state::AppState;
use crate::origin::HostRejection;
use crate::site::{csp, logos, reports};
use crate::telemetry;

/// Largest request body: the API's only body is a removal request's message (at most 500
/// characters); anything bigger is not for us.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Answers of the API's routes larger than this many bytes are compressed for clients that
/// accept brotli or gzip ([`compression`]).
pub const COMPRESS_ABOVE: u16 = 1024;

/// The whole HTTP surface: the API routes, then the app (or 404) for the rest, inside the
/// layers every response goes through (outermost first): a request ID (kept when the client
/// sent a plain one, echoed back), one log event per request, the security headers, JSON
/// errors for everything under `/api` whoever produced them, strict framing ([`framing`]),
/// the host allowlist, the `--delay-ms`, the body read in time (408), a timeout and a body
/// limit. On the API's routes, answers are compressed ([`compression`]), the caller is
/// identified once ([`caller`]), then rate-limited ([`rate_limit`]).
pub fn app(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let layers = ServiceBuilder::new()
        .map_request(framing::plain_request_id)
        .layer(SetRequestIdLayer::new(
            x_request_id.clone(),
            MakeRequestUuid,
        ))
        .layer(telemetry::trace_layer())
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(security_header(0))
        .layer(security_header(1))
        .layer(security_header(2))
        .layer(security_header(3))
        .layer(security_header(4))
        .layer(security_header(5))
        // Behind an https public URL: never plain HTTP again (two years, as HSTS preload asks).
        .option_layer(state.origins.public_https().then(|| {
            SetResponseHeaderLayer::overriding(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000; includeSubDomains"),
            )
        }))
        .layer(middleware::from_fn(api_errors_are_json))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state.origins),
            framing::strict_framing,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            allowed_hosts_only,
        ))
        .layer(cors(&state.allowed_origins))
        .layer(middleware::from_fn_with_state(state.clone(), api_delay));
    // Before the fallback: `Router::layer` wraps only the routes that exist so far.
    routes()
        .layer(tower::util::option_layer(
            state.rate_limit.as_ref().map(RateLimit::layer),
        ))
        .layer(middleware::from_fn_with_state(state.clone(), identify))
        .layer(compression())
        // Outside the API's layers: static files, for anyone.
        .route(&format!("{}{{file}}", logos::PREFIX), get(logos::serve))
        .route(
            reports::PATH,
            post(csp_report).layer(DefaultBodyLimit::max(reports::BODY_LIMIT)),
        )
        .fallback(fallback)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.request_timeout,
        ))
        // Outside the timeout: a slow client is a 408, a slow server a 503.
        .layer(middleware::from_fn_with_state(
            state.body_timeout,
            framing::body_in_time,
        ))
        .layer(layers)
        .with_state(state)
}

/// The API routes. A known path with an unsupported method answers 405 JSON;
/// axum adds the `Allow` header listing the supported ones.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(me))
        .route(ORGANIZATIONS_PATH, get(list_organizations))
        .route(
            "/api/v1/me/organizations/{id}",
            get(get_organization).delete(leave_organization),
        )
        .route("/api/v1/me/organizations/{id}/access", get(list_access))
        .route(
            "/api/v1/me/organizations/{id}/removalRequests",
            get(list_removal_requests).post(request_removal),
        )
        .route(
            "/api/v1/me/organizations/{id}/removalRequests/{request_id}",
            delete(cancel_removal),
        )
        .route(DEPARTURES_PATH, get(list_departures))
        .route("/api/v1/me/departures/{id}", delete(forget_departure))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "methodNotAllowed",
        format!(
            "The {method} method is not allowed on {}; see the Allow header.",
            uri.path()
        ),
    )
}

/// Brotli or gzip, whichever the client prefers (`Accept-Encoding`), for the API's answers over
/// [`COMPRESS_ABOVE`] bytes (with tower-http's default exclusions: images, gRPC, server-sent
/// events); smaller ones, which compression would barely shrink, go as they are. Every answer
/// that could be compressed says `Vary: Accept-Encoding`, whatever the client accepted, so a
/// cache never hands a compressed copy to a client that can't read it. Only on the API's
/// routes: the site's files have precompressed copies of their own ([`crate::site`]).
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .no_deflate()
        .no_zstd()
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE)))
}

/// The layer that sets the `index`th of [`csp::SECURITY_HEADERS`] on every response; but a
/// `Cross-Origin-Resource-Policy` a response has is kept (the demo logos', `cross-origin`).
fn security_header(index: usize) -> SetResponseHeaderLayer<HeaderValue> {
    let (name, value) = csp::SECURITY_HEADERS[index];
    // Constants, checked by the unit test below.
    #[allow(clippy::expect_used)]
    let name = HeaderName::from_bytes(name.as_bytes()).expect("a valid header name");
    let value = HeaderValue::from_static(value);
    if name == HeaderName::from_static("cross-origin-resource-policy") {
        SetResponseHeaderLayer::if_not_present(name, value)
    } else {
        SetResponseHeaderLayer::overriding(name, value)
    }
}

/// CORS for the API: the listed origins may call it with a bearer token (preflight included);
/// no other origin is allowed anything. No list, no CORS headers at all.
fn cors(origins: &[HeaderValue]) -> tower::util::Either<CorsLayer, tower::layer::util::Identity> {
    if origins.is_empty() {
        return tower::util::Either::Right(tower::layer::util::Identity::new());
    }
    tower::util::Either::Left(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
            .max_age(Duration::from_secs(600)),
    )
}

/// Paths the API owns: nothing under `/api` may ever be answered with HTML.
pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if is_api_path(path) {
        return ApiError::not_found(path).into_response();
    }
    match &state.site {
        Some(site) => site.serve(request).await,
        None => (StatusCode::NOT_FOUND, "Not found\n").into_response(),
    }
}

/// A browser's report of what the app's Content Security Policy refused ([`reports`]); only
/// where the server serves the app, whose policy asks for them.
async fn csp_report(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    match &state.site {
        Some(site) => site.reports.receive(&body).into_response(),
        None => (StatusCode::NOT_FOUND, "Not found\n").into_response(),
    }
}

/// Refuses requests for hosts the server doesn't answer for (DNS rebinding, forged links).
async fn allowed_hosts_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match state.origins.check_request(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(HostRejection::Malformed) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalidHost",
            "The Host header is not a valid host name.",
        )
        .into_response(),
        Err(HostRejection::NotAllowed) => ApiError::new(
            StatusCode::MISDIRECTED_REQUEST,
            "misdirectedRequest",
            "This server does not answer for that host name.",
        )
        .into_response(),
    }
}

/// Every `/api` response, whoever produced it (a handler, a timeout, the body limit, axum's
/// router), is JSON that no cache keeps, and every error is the API's JSON error body.
async fn api_errors_are_json(request: Request, next: Next) -> Response {
    if !is_api_path(request.uri().path()) {
        return next.run(request).await;
    }
    let mut response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let mut replaced = ApiError::for_status(status).into_response();
        for name in [header::ALLOW, header::RETRY_AFTER] {
            if let Some(value) = response.headers_mut().remove(&name) {
                replaced.headers_mut().insert(name, value);
            }
        }
        response = replaced;
    }
    let headers = response.headers_mut();
    // Also on 204 and on HEAD: the contract says every API response.
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// On the API's routes: puts the request's [`Identity`] in its extensions, for the rate limit
/// and the handlers.
async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let identity = Identity::of(state.auth.as_deref(), request.headers()).await;
    request.extensions_mut().insert(identity);
    next.run(request).await
}

/// `--delay-ms`: makes loading states visible.
async fn api_delay(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    if is_api_path(request.uri().path()) && !state.delay.is_zero() {
        tokio::time::sleep(state.delay).await;
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_headers_are_valid() {
        for index in 0..csp::SECURITY_HEADERS.len() {
            let _ = security_header(index);
        }
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/v1/me"));
        assert!(is_api_path("/api/"));
        assert!(!is_api_path("/apis"));
        assert!(!is_api_path("/organizations"));
    }
}
