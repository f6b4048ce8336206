//! One error type for every request, and the one place that turns it into plain words.

use std::fmt;

use crate::domain::i18n::{Key, Message};

/// What went wrong with a request. `code` is the API's machine-readable `error.code`; the API's
/// `message` is for developers and is never shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The request never got an answer (offline, DNS, CORS, connection reset).
    Network,
    /// No answer before the request's deadline.
    Timeout,
    /// A leave whose answer was lost, and a check afterwards found the person still a member.
    NotLeft,
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
    /// A removal request for an organization that takes none (409 `removalNotApplicable`): the
    /// person may leave it, it is their home organization, or their account there is disabled.
    RemovalNotApplicable,
    /// A removal request's message is longer than the API takes (400 `messageTooLong`, or
    /// found before sending).
    MessageTooLong,
    /// A removal request's message holds a control character the API refuses (400
    /// `invalidMessage`, or found before sending).
    InvalidMessage,
}

/// What the person was doing, which changes the words of some errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doing {
    Loading,
    Leaving,
    /// Forgetting a departure: anything but a network or session problem is "couldn't be
    /// removed from this list".
    Forgetting,
}

impl ApiError {
    /// The error for an error status and the API's `code`: the codes that ask for words of
    /// their own get a variant; the rest stay [`ApiError::Status`].
    pub fn from_status(status: u16, code: Option<String>, retry_after_secs: Option<u32>) -> Self {
        match (status, code.as_deref()) {
            (409, Some("removalNotApplicable")) => ApiError::RemovalNotApplicable,
            (400, Some("messageTooLong")) => ApiError::MessageTooLong,
            (400, Some("invalidMessage")) => ApiError::InvalidMessage,
            _ => ApiError::Status {
                status,
                code,
                retry_after_secs,
            },
        }
    }

    /// Plain words for the person, for the error `code` (or status) the service sent.
    pub fn user_message(&self, doing: Doing) -> Message {
        if doing == Doing::Forgetting {
            return Message::new(match self {
                ApiError::Network => Key::ErrorNetwork,
                ApiError::Status { status: 401, .. } => Key::ErrorSessionEnded,
                _ => Key::ErrorForgetting,
            });
        }
        let leaving = doing == Doing::Leaving;
        let key = match self {
            ApiError::Network => Key::ErrorNetwork,
            ApiError::Timeout if leaving => Key::ErrorTimeoutLeaving,
            ApiError::Timeout => Key::ErrorTimeoutLoading,
            ApiError::NotLeft => Key::ErrorNotLeft,
            ApiError::InvalidResponse(_) | ApiError::UntrustedLink if leaving => {
                Key::ErrorUnreadableLeaving
            }
            ApiError::InvalidResponse(_) | ApiError::UntrustedLink => Key::ErrorUnreadableLoading,
            ApiError::RemovalNotApplicable => Key::ErrorRemovalNotApplicable,
            ApiError::MessageTooLong => Key::ErrorMessageTooLong,
            ApiError::InvalidMessage => Key::ErrorMessageInvalid,
            ApiError::Status {
                status,
                code,
                retry_after_secs,
            } => match (status, code.as_deref()) {
                (401, _) => Key::ErrorSessionEnded,
                (_, Some("leaveNotAllowed")) => Key::LeaveNotAllowed,
                (_, Some("cannotLeaveHomeOrganization")) => Key::ErrorCannotLeaveHome,
                (429 | 503, _) => {
                    return match retry_after_secs {
                        Some(n @ ..=119) => Message::count(Key::ErrorBusySeconds, u64::from(*n)),
                        Some(n) => Message::count(Key::ErrorBusyMinutes, u64::from(n.div_ceil(60))),
                        None => Message::new(Key::ErrorBusy),
                    }
                }
                (403, _) if leaving => Key::ErrorForbiddenLeaving,
                (403, _) => Key::ErrorForbiddenLoading,
                (409, _) => Key::ErrorConflictLeaving,
                _ if leaving => Key::ErrorServerLeaving,
                _ => Key::ErrorServerLoading,
            },
        };
        Message::new(key)
    }
}

impl fmt::Display for ApiError {
    /// For logs and developers, not for the page.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network => write!(f, "network error"),
            ApiError::Timeout => write!(f, "no answer before the deadline"),
            ApiError::NotLeft => write!(f, "the leave's answer was lost, and it didn't happen"),
            ApiError::Status { status, code, .. } => {
                write!(
                    f,
                    "HTTP {status} ({})",
                    code.as_deref().unwrap_or("no code")
                )
            }
            ApiError::InvalidResponse(why) => write!(f, "invalid response: {why}"),
            ApiError::UntrustedLink => write!(f, "paging link to another origin refused"),
            ApiError::RemovalNotApplicable => {
                write!(f, "this organization takes no removal request")
            }
            ApiError::MessageTooLong => write!(f, "the message is too long"),
            ApiError::InvalidMessage => write!(f, "the message has a control character"),
        }
    }
}

impl std::error::Error for ApiError {}

/// Reads `Retry-After`: whole seconds, or an HTTP date (which `parse_date` turns into Unix
/// milliseconds, the browser's `Date.parse` in the app) counted from `now_ms`. Nonsense, or a
/// date in the past, is "no hint"; a wait is at least a second and at most an hour.
pub fn parse_retry_after(
    value: Option<&str>,
    parse_date: impl Fn(&str) -> Option<f64>,
    now_ms: f64,
) -> Option<u32> {
    let value = value?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u32 = value.parse().unwrap_or(u32::MAX);
        return Some(secs.clamp(1, 3600));
    }
    let wait_ms = parse_date(value)? - now_ms;
    (wait_ms > 0.0).then(|| ((wait_ms / 1000.0).ceil() as u32).clamp(1, 3600))
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
        // The leave flow names the organization being left.
        let mut policy = status(403, Some("leaveNotAllowed"), None).user_message(Doing::Leaving);
        policy.name = Some("Woodgrove Bank".into());
        assert_eq!(
            policy.english(),
            "Woodgrove Bank doesn't let guests leave on their own."
        );
        assert_eq!(
            status(409, Some("cannotLeaveHomeOrganization"), None)
                .user_message(Doing::Leaving)
                .english(),
            "You can't leave your home organization."
        );
        assert_eq!(
            status(401, Some("InvalidAuthenticationToken"), None)
                .user_message(Doing::Leaving)
                .english(),
            "Your session has ended. Sign in again to continue."
        );
        assert_eq!(
            ApiError::Network.user_message(Doing::Leaving).english(),
            "We can't reach the service. Check your connection, then try again."
        );
        assert!(status(500, Some("internalError"), None)
            .user_message(Doing::Leaving)
            .english()
            .contains("you haven't left"));
    }

    #[test]
    fn busy_errors_say_when_to_retry() {
        assert_eq!(
            status(429, Some("tooManyRequests"), Some(30))
                .user_message(Doing::Leaving)
                .english(),
            "The service is busy. Try again in 30 seconds."
        );
        assert_eq!(
            status(503, None, Some(1))
                .user_message(Doing::Loading)
                .english(),
            "The service is busy. Try again in 1 second."
        );
        assert_eq!(
            status(503, None, None)
                .user_message(Doing::Loading)
                .english(),
            "The service is busy. Try again in a moment."
        );
    }

    #[test]
    fn removal_request_codes_have_variants_of_their_own() {
        let from = |status, code: &str| ApiError::from_status(status, Some(code.into()), None);
        assert_eq!(
            from(409, "removalNotApplicable"),
            ApiError::RemovalNotApplicable
        );
        assert_eq!(from(400, "messageTooLong"), ApiError::MessageTooLong);
        assert_eq!(from(400, "invalidMessage"), ApiError::InvalidMessage);
        // Other codes, and these codes with another status, stay what they were.
        assert_eq!(
            from(409, "cannotLeaveHomeOrganization"),
            status(409, Some("cannotLeaveHomeOrganization"), None)
        );
        assert_eq!(
            from(500, "messageTooLong"),
            status(500, Some("messageTooLong"), None)
        );
        assert_eq!(
            ApiError::from_status(429, None, Some(3)),
            status(429, None, Some(3))
        );
        for error in [
            ApiError::RemovalNotApplicable,
            ApiError::MessageTooLong,
            ApiError::InvalidMessage,
        ] {
            assert!(!error.user_message(Doing::Leaving).english().is_empty());
            assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn the_api_message_never_leaks() {
        let e = status(500, Some("<script>alert(1)</script>"), None);
        assert!(!e.user_message(Doing::Loading).english().contains("script"));
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        // A stand-in for Date.parse that knows one date: 2015-10-21T07:28:00Z.
        let date =
            |text: &str| (text == "Wed, 21 Oct 2015 07:28:00 GMT").then_some(1_445_412_480_000.0);
        let now = 1_445_412_476_000.0; // four seconds before
        let retry = |value: Option<&str>| parse_retry_after(value, date, now);
        assert_eq!(retry(Some("120")), Some(120));
        assert_eq!(retry(Some(" 0 ")), Some(1));
        assert_eq!(retry(Some("999999")), Some(3600));
        assert_eq!(retry(Some("99999999999999999999")), Some(3600));
        assert_eq!(retry(Some("Wed, 21 Oct 2015 07:28:00 GMT")), Some(4));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT"), date, now + 10_000.0),
            None,
            "a date in the past is no hint"
        );
        assert_eq!(retry(Some("-5")), None);
        assert_eq!(retry(Some("soon")), None);
        assert_eq!(retry(Some("")), None);
        assert_eq!(retry(None), None);
    }
}
