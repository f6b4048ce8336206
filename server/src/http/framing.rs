//! Strict HTTP: requests that two HTTP implementations (a proxy in front and this server) could
//! read differently are refused rather than guessed at, and a client that is slow to send its
//! body is told so.
//!
//! - HTTP/1.1 without a `Host`, or with two (RFC 9112, section 3.2): 400 `invalidRequest`.
//! - Two `Authorization` headers (a proxy may read the first, another the last): 400
//!   `invalidRequest`.
//! - An absolute-form target (`GET http://host/path`) whose authority isn't a host the server
//!   answers for (RFC 9112 says the target's authority, not `Host`, names the host): 400
//!   `invalidHost`.
//! - `X-Request-Id` from the client is kept only when it is short and plain
//!   (`[A-Za-z0-9._-]{1,64}`, once); otherwise a generated one replaces it, so a client can't
//!   put its own text in every log line of the request.
//! - A body that hasn't fully arrived within the header timeout (`--header-timeout-secs`)
//!   after the head: 408 `requestTimeout`, and the connection is closed.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode, Version};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use super::error::ApiError;
use super::BODY_LIMIT;
use crate::origin::Origins;

const X_REQUEST_ID: &str = "x-request-id";

/// Whether a client's request ID is one to keep: 1 to 64 of `A-Z a-z 0-9 . _ -`.
pub fn is_plain_request_id(value: &[u8]) -> bool {
    (1..=64).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops the client's `X-Request-Id` unless it is one plain value, so that the request ID
/// layer generates one instead.
pub fn plain_request_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    let mut values = headers.get_all(X_REQUEST_ID).iter();
    let keep = values
        .next()
        .is_some_and(|value| is_plain_request_id(value.as_bytes()))
        && values.next().is_none();
    if !keep {
        headers.remove(X_REQUEST_ID);
    }
    request
}

/// Why a request's framing is refused, if it is.
pub fn framing_problem(
    version: Version,
    authority: Option<&str>,
    headers: &HeaderMap,
    origins: &Origins,
) -> Option<ApiError> {
    let invalid = |message: &str| {
        Some(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalidRequest",
            message,
        ))
    };
    let hosts = headers.get_all(header::HOST).iter().count();
    if hosts > 1 {
        return invalid("The request has more than one Host header.");
    }
    if hosts == 0 && version == Version::HTTP_11 {
        return invalid("An HTTP/1.1 request must have a Host header.");
    }
    if headers.get_all(header::AUTHORIZATION).iter().count() > 1 {
        return invalid("The request has more than one Authorization header.");
    }
    if let Some(authority) = authority {
        if origins.check(authority).is_err() {
            return Some(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalidHost",
                "The request target names a host this server does not answer for.",
            ));
        }
    }
    None
}

/// Middleware: refuses the requests [`framing_problem`] finds ambiguous.
pub async fn strict_framing(
    State(origins): State<Arc<Origins>>,
    request: Request,
    next: Next,
) -> Response {
    let authority = request.uri().authority().map(|a| a.as_str().to_owned());
    match framing_problem(
        request.version(),
        authority.as_deref(),
        request.headers(),
        &origins,
    ) {
        Some(error) => error.into_response(),
        None => next.run(request).await,
    }
}

/// Middleware: reads the request's body (when it has one) within `timeout`, or answers 408
/// `requestTimeout` and closes the connection. A body declared larger than [`BODY_LIMIT`] is
/// left to the body limit inside (413 without reading it).
pub async fn body_in_time(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let declared_too_large = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|length| u64::try_from(BODY_LIMIT).is_ok_and(|limit| length > limit));
    if request.body().is_end_stream() || declared_too_large {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(timeout, Limited::new(body, BODY_LIMIT).collect()).await;
    match read {
        Ok(Ok(collected)) => {
            next.run(Request::from_parts(parts, Body::from(collected.to_bytes())))
                .await
        }
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => {
            ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE).into_response()
        }
        Ok(Err(error)) => {
            tracing::debug!(%error, "the request body could not be read");
            ApiError::for_status(StatusCode::BAD_REQUEST).into_response()
        }
        Err(_) => {
            tracing::info!("the request body did not arrive within {timeout:?}");
            let mut response = ApiError::for_status(StatusCode::REQUEST_TIMEOUT).into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_kept_only_when_plain() {
        for plain in ["trace-42", "a", "A.b_c-9", "x".repeat(64).as_str()] {
            assert!(is_plain_request_id(plain.as_bytes()), "{plain}");
        }
        for forged in [
            "",
            "abc}: served status=200 path=/forged",
            "a b",
            "a\nb",
            "é",
            "a/b",
            "x".repeat(65).as_str(),
        ] {
            assert!(!is_plain_request_id(forged.as_bytes()), "{forged:?}");
        }
        let request = |values: &[&'static str]| {
            let mut request = Request::new(Body::empty());
            for value in values {
                request
                    .headers_mut()
                    .append(X_REQUEST_ID, HeaderValue::from_static(value));
            }
            plain_request_id(request)
                .headers()
                .get_all(X_REQUEST_ID)
                .iter()
                .map(|v| v.to_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(request(&["trace-42"]), ["trace-42"]);
        assert!(request(&["abc}: forged"]).is_empty());
        assert!(request(&["a", "b"]).is_empty());
    }

    #[test]
    fn ambiguous_framing_is_refused() {
        let origins = Origins::new(None, false, &[], "127.0.0.1:8080".parse().expect("addr"));
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.append(*name, HeaderValue::from_static(value));
            }
            map
        };
        let problem = |version, authority, pairs: &[(&'static str, &'static str)]| {
            framing_problem(version, authority, &headers(pairs), &origins)
                .map(|error| (error.status.as_u16(), error.code))
        };
        let host = ("host", "127.0.0.1:8080");
        assert_eq!(problem(Version::HTTP_11, None, &[host]), None);
        assert_eq!(problem(Version::HTTP_10, None, &[]), None);
        assert_eq!(
            problem(Version::HTTP_11, None, &[]),
            Some((400, "invalidRequest"))
        );
        assert_eq!(
            problem(Version::HTTP_11, None, &[host, ("host", "evil.example")]),
            Some((400, "invalidRequest"))
        );
        assert_eq!(
            problem(Version::HTTP_10, None, &[host, host]),
            Some((400, "invalidRequest"))
        );
        assert_eq!(
            problem(
                Version::HTTP_11,
                None,
                &[
                    host,
                    ("authorization", "Bearer a"),
                    ("authorization", "Bearer b")
                ]
            ),
            Some((400, "invalidRequest"))
        );
        assert_eq!(
            problem(Version::HTTP_11, Some("localhost:8080"), &[host]),
            None
        );
        assert_eq!(
            problem(Version::HTTP_11, Some("evil.example"), &[host]),
            Some((400, "invalidHost"))
        );
    }
}
