//! The API's one error: a status and Graph's error body `{"error": {"code", "message"}}`, with
//! the `WWW-Authenticate` challenge of a refused token and the `Retry-After` of a busy server.
//! Everything that can refuse a request (sign-in, the store, the extractors, the rate limit,
//! the layers) answers through it.

use std::fmt::Display;

use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth::AuthError;
use crate::store::model::StoreError;

/// An API error response: a status and Graph's error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `WWW-Authenticate`, when sign-in refused the request (RFC 6750).
    pub challenge: Option<String>,
    /// `Retry-After` in seconds, when it is not the 503's default.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            challenge: None,
            retry_after: None,
        }
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "invalidRequest", message)
    }

    /// No API resource at `path`.
    pub fn not_found(path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "notFound",
            format!("There is no API resource at {path}."),
        )
    }

    /// The person is not a member of organization `id` (or it doesn't exist: the same to them).
    pub fn not_a_member(id: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "organizationNotFound",
            format!("You are not a member of organization {id}."),
        )
    }

    /// The error for a status that something other than a handler chose: a timeout, the body
    /// limit, the HTTP parser. The code is what an app can branch on.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("invalidRequest", "The request is malformed."),
            415 => (
                "unsupportedMediaType",
                "The request body must be application/json.",
            ),
            404 => ("notFound", "There is no API resource here."),
            405 => ("methodNotAllowed", "That method is not allowed here."),
            408 => ("requestTimeout", "The request took too long to arrive."),
            413 => ("payloadTooLarge", "The request body is too large."),
            414 => ("uriTooLong", "The request URI is too long."),
            421 => (
                "misdirectedRequest",
                "This server does not answer for that host name.",
            ),
            429 => ("tooManyRequests", "Too many requests: try again later."),
            431 => ("headersTooLarge", "The request headers are too large."),
            503 => (
                "serviceUnavailable",
                "The service is busy; try again shortly.",
            ),
            500..=599 => ("internalError", "The server failed to process the request."),
            _ => ("invalidRequest", "The request cannot be served."),
        };
        ApiError::new(status, code, message)
    }

    /// The JSON body of this error.
    pub fn body(&self) -> String {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
            },
        };
        // Two string fields: serializing cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// Logs the cause; the client only learns that it failed.
    pub fn internal(context: &str, cause: impl Display) -> Self {
        tracing::error!(%cause, "{context}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internalError",
            "The server failed to process the request.",
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

/// Every 503 says when to try again; a caller may set a longer `Retry-After` over this one.
const RETRY_AFTER_SECONDS: &str = "1";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body(),
        )
            .into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        } else if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        if let Some(value) = self
            .challenge
            .and_then(|challenge| HeaderValue::from_str(&challenge).ok())
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

/// Sign-in's refusals, as RFC 6750 (section 3) answers them.
impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        let (error, challenge) = match error {
            AuthError::Missing => (
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "Sign in: this API needs an access token (Authorization: Bearer).",
                ),
                "Bearer realm=\"myorgs\"".to_owned(),
            ),
            AuthError::Malformed => (
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalidRequest",
                    "The Authorization header is not one bearer token.",
                ),
                "Bearer realm=\"myorgs\", error=\"invalid_request\"".to_owned(),
            ),
            AuthError::InvalidToken(_) => (
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalidToken",
                    "The access token is invalid or expired: sign in again.",
                ),
                "Bearer realm=\"myorgs\", error=\"invalid_token\"".to_owned(),
            ),
            AuthError::InsufficientScope(scope) => (
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "insufficientScope",
                    format!("The access token does not grant {}.", scope.as_str()),
                ),
                format!(
                    "Bearer realm=\"myorgs\", error=\"insufficient_scope\", scope=\"{}\"",
                    scope.as_str()
                ),
            ),
            AuthError::KeysUnavailable {
                retry_after_secs, ..
            } => {
                return ApiError {
                    retry_after: Some(retry_after_secs.max(1)),
                    ..ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "serviceUnavailable",
                        "Sign-in can't be checked right now; try again shortly.",
                    )
                };
            }
        };
        ApiError {
            challenge: Some(challenge),
            ..error
        }
    }
}

/// The code of a 503 for a storage failure.
pub const STORAGE_UNAVAILABLE: &str = "storageUnavailable";
/// A storage failure (a full disk) takes someone to fix: no point in trying again at once.
const STORAGE_RETRY_AFTER_SECONDS: u64 = 30;

/// A busy store (the write lock held elsewhere, every connection in use) is a quick 503 with
/// `Retry-After`; a storage failure (a full disk, an I/O error) a logged 503
/// `storageUnavailable` with a longer `Retry-After`; other failures a logged 500.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Busy(reason) => {
                tracing::warn!(%reason, "database busy: answering 503");
                ApiError::for_status(StatusCode::SERVICE_UNAVAILABLE)
            }
            StoreError::Storage(reason) => {
                tracing::error!(%reason, "storage failure: answering 503");
                ApiError {
                    retry_after: Some(STORAGE_RETRY_AFTER_SECONDS),
                    ..ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        STORAGE_UNAVAILABLE,
                        "The server can't store data right now; nothing was changed. Try again \
                         later.",
                    )
                }
            }
            StoreError::Failed(_) => ApiError::internal("database", error),
            StoreError::Crashed(cause) => ApiError::internal("database task", cause),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Scope;

    /// Status, code, `WWW-Authenticate` and `Retry-After`, as a client sees them.
    fn seen(error: impl Into<ApiError>) -> (u16, &'static str, Option<String>, Option<String>) {
        let error = error.into();
        let code = error.code;
        let response = error.into_response();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|value: &HeaderValue| value.to_str().unwrap_or_default().to_owned())
        };
        (
            response.status().as_u16(),
            code,
            header(header::WWW_AUTHENTICATE),
            header(header::RETRY_AFTER),
        )
    }

    #[test]
    fn sign_in_refusals_answer_as_rfc_6750_says() {
        let challenge = |text: &str| Some(text.to_owned());
        assert_eq!(
            seen(AuthError::Missing),
            (
                401,
                "unauthenticated",
                challenge("Bearer realm=\"myorgs\""),
                None
            )
        );
        assert_eq!(
            seen(AuthError::Malformed),
            (
                400,
                "invalidRequest",
                challenge("Bearer realm=\"myorgs\", error=\"invalid_request\""),
                None
            )
        );
        assert_eq!(
            seen(AuthError::InvalidToken("expired".to_owned())),
            (
                401,
                "invalidToken",
                challenge("Bearer realm=\"myorgs\", error=\"invalid_token\""),
                None
            )
        );
        assert_eq!(
            seen(AuthError::InsufficientScope(Scope::Leave)),
            (
                403,
                "insufficientScope",
                challenge(
                    "Bearer realm=\"myorgs\", error=\"insufficient_scope\", scope=\"myorgs.leave\""
                ),
                None
            )
        );
        assert_eq!(
            seen(AuthError::KeysUnavailable {
                reason: "down".to_owned(),
                retry_after_secs: 5
            }),
            (503, "serviceUnavailable", None, Some("5".to_owned()))
        );
    }

    #[test]
    fn a_busy_or_full_store_is_a_503_to_retry_and_a_failed_one_a_500() {
        assert_eq!(
            seen(StoreError::Busy("locked".to_owned())),
            (503, "serviceUnavailable", None, Some("1".to_owned()))
        );
        assert_eq!(
            seen(StoreError::Storage("database or disk is full".to_owned())),
            (503, "storageUnavailable", None, Some("30".to_owned()))
        );
        assert_eq!(
            seen(StoreError::Failed("a bug".to_owned())),
            (500, "internalError", None, None)
        );
        assert_eq!(
            seen(StoreError::Crashed("panicked".to_owned())),
            (500, "internalError", None, None)
        );
    }
}
