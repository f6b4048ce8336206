//! One error type for every request, and the one place that turns it into plain words.

use std::fmt;

use crate::domain::text;

/// What went wrong with a request. `code` is the API's machine-readable `error.code`; the API's
/// `message` is for developers and is never shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an answer (offline, DNS, CORS, connection reset).
    Network,
    /// The service answered with an error status.
    Status {
        status: u16,
        code: Option<String>,
        retry_after_secs: Option<u32>,
    },
    /// The answer wasn't the JSON we expect (an HTML error page, wrong types, a truncated body).
    InvalidResponse(String),
    /// A paging link pointed somewhere other than the API: refused, not followed.
    UntrustedLink,
}

/// What the person was doing, which changes the words of some errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doing {
    Loading,
    Leaving,
}

impl ApiError {
    /// Plain words for the person, for the error `code` (or status) the service sent.
    pub fn user_message(&self, doing: Doing) -> String {
        match self {
            ApiError::Network => {
                "We can't reach the service. Check your connection, then try again.".into()
            }
            ApiError::InvalidResponse(_) | ApiError::UntrustedLink => match doing {
                Doing::Loading => {
                    "The service sent an answer we couldn't read. Try again in a moment.".into()
                }
                Doing::Leaving => {
                    "The service sent an answer we couldn't read, so we can't tell whether you left. Try again in a moment.".into()
                }
            },
            ApiError::Status {
                status,
                code,
                retry_after_secs,
            } => match (status, code.as_deref()) {
                (401, _) => "Your session has ended. Sign in again to continue.".into(),
                (_, Some("leaveNotAllowed")) => text::LEAVE_NOT_ALLOWED.into(),
                (_, Some("cannotLeaveHomeOrganization")) => {
                    "You can't leave your home organization.".into()
                }
                (429 | 503, _) => match retry_after_secs {
                    Some(1) => "The service is busy. Try again in 1 second.".into(),
                    Some(n) => format!("The service is busy. Try again in {n} seconds."),
                    None => "The service is busy. Try again in a moment.".into(),
                },
                (403, _) => match doing {
                    Doing::Loading => "You don't have permission to see this.".into(),
                    Doing::Leaving => "You don't have permission to leave this organization.".into(),
                },
                (409, _) => "This organization can't be left right now. Try again later.".into(),
                (_, _) => match doing {
                    Doing::Loading => {
                        "Something went wrong on our side. Try again in a moment.".into()
                    }
                    Doing::Leaving => {
                        "Something went wrong on our side, and you haven't left. Try again in a moment.".into()
                    }
                },
            },
        }
    }
}

impl fmt::Display for ApiError {
    /// For logs and developers, not for the page.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network => write!(f, "network error"),
            ApiError::Status { status, code, .. } => {
                write!(
                    f,
                    "HTTP {status} ({})",
                    code.as_deref().unwrap_or("no code")
                )
            }
            ApiError::InvalidResponse(why) => write!(f, "invalid response: {why}"),
            ApiError::UntrustedLink => write!(f, "paging link to another origin refused"),
        }
    }
}

impl std::error::Error for ApiError {}

/// Reads `Retry-After` as whole seconds. HTTP dates are allowed by the standard but the API sends
/// seconds; a date (or nonsense) is treated as "no hint".
pub fn parse_retry_after(value: Option<&str>) -> Option<u32> {
    let secs: u32 = value?.trim().parse().ok()?;
    Some(secs.clamp(1, 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, code: Option<&str>, retry: Option<u32>) -> ApiError {
        ApiError::Status {
            status,
            code: code.map(str::to_string),
            retry_after_secs: retry,
        }
    }

    #[test]
    fn leave_errors_are_plain_words_by_code() {
        assert_eq!(
            status(403, Some("leaveNotAllowed"), None).user_message(Doing::Leaving),
            "Your administrator doesn't allow leaving this organization."
        );
        assert_eq!(
            status(409, Some("cannotLeaveHomeOrganization"), None).user_message(Doing::Leaving),
            "You can't leave your home organization."
        );
        assert_eq!(
            status(401, Some("InvalidAuthenticationToken"), None).user_message(Doing::Leaving),
            "Your session has ended. Sign in again to continue."
        );
        assert_eq!(
            ApiError::Network.user_message(Doing::Leaving),
            "We can't reach the service. Check your connection, then try again."
        );
        assert!(status(500, Some("internalError"), None)
            .user_message(Doing::Leaving)
            .contains("you haven't left"));
    }

    #[test]
    fn busy_errors_say_when_to_retry() {
        assert_eq!(
            status(429, Some("tooManyRequests"), Some(30)).user_message(Doing::Leaving),
            "The service is busy. Try again in 30 seconds."
        );
        assert_eq!(
            status(503, None, Some(1)).user_message(Doing::Loading),
            "The service is busy. Try again in 1 second."
        );
        assert_eq!(
            status(503, None, None).user_message(Doing::Loading),
            "The service is busy. Try again in a moment."
        );
    }

    #[test]
    fn the_api_message_never_leaks() {
        let e = status(500, Some("<script>alert(1)</script>"), None);
        assert!(!e.user_message(Doing::Loading).contains("script"));
    }

    #[test]
    fn retry_after_is_seconds_or_nothing() {
        assert_eq!(parse_retry_after(Some("120")), Some(120));
        assert_eq!(parse_retry_after(Some(" 0 ")), Some(1));
        assert_eq!(parse_retry_after(Some("999999")), Some(3600));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(Some("-5")), None);
        assert_eq!(parse_retry_after(None), None);
    }
}
