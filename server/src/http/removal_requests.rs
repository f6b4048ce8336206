//! `/me/organizations/{id}/removalRequests`: asking the administrators of an organization that
//! doesn't let the person leave to remove them, reading that request, and cancelling it.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use time::OffsetDateTime;

use super::error::ApiError;
use super::extract::{invalid_organization_id, organization_id, Authorized, ToLeave, ToRead};
use super::state::AppState;
use super::views::{RemovalRequestCollection, RemovalRequestView};
use crate::store::model::{CancelOutcome, LeaveBlock, RemovalOutcome, RemovalRequest};
use crate::telemetry::Escaped;
use crate::text::{normalize_guid, shorten};

/// The longest message of a removal request, in characters (Unicode scalar values, as JSON
/// Schema's `maxLength` counts), not bytes.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// `GET /me/organizations/{id}/removalRequests`: the person's requests to be removed from one
/// organization (at most the one pending here).
pub async fn list_removal_requests(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToRead>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<RemovalRequestCollection>, ApiError> {
    let id = organization_id(id)?;
    let requests = state
        .store
        .removal_requests(&user, &id)
        .await?
        .ok_or_else(|| ApiError::not_a_member(&id))?;
    Ok(Json(RemovalRequestCollection {
        value: requests.into_iter().map(RemovalRequestView::from).collect(),
    }))
}

/// The body of `POST .../removalRequests`; no body at all is the same as `{}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemovalRequestInput {
    #[serde(default)]
    message: Option<String>,
}

/// The message of a removal request from the request's body, checked: JSON (an object with at
/// most `message`, a string or null), at most [`MAX_MESSAGE_CHARS`] characters, no control
/// characters but line feed and tab. Accepted text is kept exactly as sent (markup and bidi
/// controls included: clients show it as isolated plain text); an empty message is no message.
fn removal_message(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Option<String>, ApiError> {
    let body = body.map_err(|rejection| ApiError::for_status(rejection.status()))?;
    if body.is_empty() {
        return Ok(None);
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }
    let not_an_object = |why: &str| {
        ApiError::invalid_request(format!(
            "The body must be a JSON object {{\"message\": string or null}}: {}.",
            shorten(why)
        ))
    };
    // serde would also read the struct from an array: only an object will do.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(not_an_object("not an object"));
    }
    let input: RemovalRequestInput =
        serde_json::from_slice(&body).map_err(|error| not_an_object(&error.to_string()))?;
    let Some(message) = input.message.filter(|message| !message.is_empty()) else {
        return Ok(None);
    };
    let chars = message.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "messageTooLong",
            format!("The message has {chars} characters; at most {MAX_MESSAGE_CHARS} are allowed."),
        ));
    }
    if let Some(control) = message.chars().find(|c| is_refused_control(*c)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalidMessage",
            format!(
                "The message contains the control character U+{:04X}; only line feeds and tabs are allowed.",
                u32::from(control)
            ),
        ));
    }
    Ok(Some(message))
}

/// C0 and C1 control characters and DEL, but line feed and tab.
fn is_refused_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `POST /me/organizations/{id}/removalRequests`: asks the organization's administrators to
/// remove the person, where its policy doesn't let them leave. One pending request per
/// organization: asking again answers that one (200), unchanged.
pub async fn request_removal(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToLeave>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<RemovalRequestView>), ApiError> {
    let id = organization_id(id)?;
    let message = removal_message(&headers, body)?;
    let new = RemovalRequest {
        id: uuid::Uuid::new_v4().to_string(),
        message,
        created_at: OffsetDateTime::now_utc().unix_timestamp(),
    };
    let outcome = state.store.request_removal(&user, &id, new).await?;
    match outcome {
        RemovalOutcome::Created(request) => {
            // Ids only: the message is the person's own text, for the administrators.
            tracing::info!(
                organization_id = %Escaped(&id),
                removal_request_id = %Escaped(&request.id),
                "removal request created"
            );
            Ok((StatusCode::CREATED, Json(request.into())))
        }
        RemovalOutcome::AlreadyPending(request) => Ok((StatusCode::OK, Json(request.into()))),
        RemovalOutcome::NotMember => Err(ApiError::not_a_member(&id)),
        RemovalOutcome::NotApplicable(block) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "removalNotApplicable",
            match block {
                None => format!(
                    "Organization {id} is your home organization, or lets you leave it: there \
                     is nothing to ask its administrators."
                ),
                Some(LeaveBlock::AccountDisabled) => format!(
                    "Your account in organization {id} is disabled, so no removal can be requested."
                ),
                Some(LeaveBlock::PolicyDisallowed) => {
                    format!("Organization {id} cannot take a removal request.")
                }
            },
        )),
    }
}

/// `DELETE /me/organizations/{id}/removalRequests/{requestId}`: cancels the person's pending
/// request.
pub async fn cancel_removal(
    State(state): State<AppState>,
    Authorized(user, _): Authorized<ToLeave>,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Ok(Path((raw_id, raw_request_id))) = ids else {
        return Err(invalid_organization_id("(undecodable)"));
    };
    let id = normalize_guid(&raw_id).ok_or_else(|| invalid_organization_id(&shorten(&raw_id)))?;
    let request_id = normalize_guid(&raw_request_id).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalidRemovalRequestId",
            format!(
                "{:?} is not a removal request id: expected a GUID like 00000000-0000-0000-0000-000000000000.",
                shorten(&raw_request_id)
            ),
        )
    })?;
    let outcome = state.store.cancel_removal(&user, &id, &request_id).await?;
    match outcome {
        CancelOutcome::Cancelled => {
            tracing::info!(
                organization_id = %Escaped(&id),
                removal_request_id = %Escaped(&request_id),
                "removal request cancelled"
            );
            Ok(StatusCode::NO_CONTENT)
        }
        CancelOutcome::NotMember => Err(ApiError::not_a_member(&id)),
        CancelOutcome::NoSuchRequest => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "removalRequestNotFound",
            format!("You have no pending removal request {request_id} in organization {id}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(content_type: Option<&str>, body: &str) -> Result<Option<String>, ApiError> {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type {
            headers.insert(header::CONTENT_TYPE, value.parse().expect("a header value"));
        }
        removal_message(&headers, Ok(Bytes::from(body.to_owned())))
    }

    fn code(result: Result<Option<String>, ApiError>) -> (u16, &'static str) {
        let error = result.expect_err("refused");
        (error.status.as_u16(), error.code)
    }

    #[test]
    fn removal_messages_are_plain_text_kept_exactly() {
        let json = Some("application/json");
        assert_eq!(message(None, ""), Ok(None));
        assert_eq!(message(json, ""), Ok(None));
        assert_eq!(message(json, "{}"), Ok(None));
        assert_eq!(message(json, r#"{"message": null}"#), Ok(None));
        assert_eq!(message(json, r#"{"message": ""}"#), Ok(None));
        let kept = "<script>alert(1)</script>\n\t\u{202E}txt.exe & \"quotes\" 🚀";
        let body = serde_json::json!({ "message": kept }).to_string();
        assert_eq!(
            message(Some("Application/JSON; charset=utf-8"), &body),
            Ok(Some(kept.to_owned()))
        );
        // Characters, not bytes: 500 four-byte emoji are fine, 501 letters are not.
        let emoji = serde_json::json!({ "message": "🚀".repeat(500) }).to_string();
        assert_eq!(
            message(json, &emoji).map(|m| m.map(|m| m.len())),
            Ok(Some(2000))
        );
        let long = serde_json::json!({ "message": "x".repeat(501) }).to_string();
        assert_eq!(code(message(json, &long)), (400, "messageTooLong"));
        let huge = serde_json::json!({ "message": "x".repeat(10_000) }).to_string();
        assert_eq!(code(message(json, &huge)), (400, "messageTooLong"));
        for control in [
            '\u{0}', '\u{7}', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            let body = serde_json::json!({ "message": format!("a{control}b") }).to_string();
            assert_eq!(
                code(message(json, &body)),
                (400, "invalidMessage"),
                "{control:?}"
            );
        }
        for bad in [
            "{",
            "null",
            "[]",
            r#""text""#,
            r#"{"message": 5}"#,
            r#"{"message": ["a"]}"#,
            r#"["a"]"#,
            r#"{"message": "a", "other": 1}"#,
            r#"{"message": "a", "message": "b"}"#,
            r#"{"message": "\ud800"}"#,
            " ",
        ] {
            assert_eq!(code(message(json, bad)), (400, "invalidRequest"), "{bad}");
        }
        assert_eq!(
            code(message(Some("text/plain"), r#"{"message": "a"}"#)),
            (415, "unsupportedMediaType")
        );
        assert_eq!(
            code(message(None, r#"{"message": "a"}"#)),
            (415, "unsupportedMediaType")
        );
    }
}
