//! Asking an organization that doesn't allow leaving to remove the person: the pending request,
//! and the rules its message must meet (the API's, checked before anything is sent).

/// The longest message, in characters (Unicode scalar values: what the API counts), not bytes
/// and not UTF-16 units (what a JavaScript string's `length` counts).
pub const MAX_MESSAGE_CHARS: usize = 500;

/// A pending request to be removed from an organization. `created` is milliseconds since the
/// Unix epoch, or `None` when the API sent something that isn't a date.
#[derive(Clone, Debug, PartialEq)]
pub struct RemovalRequest {
    /// A lowercase GUID (it ends up in a request path).
    pub id: String,
    pub created: Option<f64>,
    /// The person's own words, as the API keeps them (line breaks included); `None` without.
    pub message: Option<String>,
}

/// Why the API would refuse a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageProblem {
    /// More than [`MAX_MESSAGE_CHARS`] characters; `chars` is how many there are.
    TooLong { chars: usize },
    /// A control character other than line feed and tab (a carriage return included).
    ControlCharacter,
}

/// How many characters a message has, as the API counts them (for a counter next to the field).
pub fn message_chars(text: &str) -> usize {
    text.chars().count()
}

/// The message to send for what the person typed: `None` for nothing (empty or only
/// whitespace), the text as typed otherwise, or why the API would refuse it. Markup and bidi
/// controls are text like any other: the API keeps them, and the page shows them as text.
pub fn check_message(text: &str) -> Result<Option<String>, MessageProblem> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let chars = message_chars(text);
    if chars > MAX_MESSAGE_CHARS {
        return Err(MessageProblem::TooLong { chars });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(MessageProblem::ControlCharacter);
    }
    Ok(Some(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_the_apis_rules() {
        assert_eq!(check_message(""), Ok(None));
        assert_eq!(check_message(" \n\t "), Ok(None));
        let kept = "<b>Please</b> remove me.\n\tThanks \u{202E}olleh";
        assert_eq!(check_message(kept), Ok(Some(kept.to_string())));
        // Characters, not bytes or UTF-16 units: 500 emoji are 2,000 bytes and 1,000 units.
        let emoji = "🚀".repeat(500);
        assert_eq!(check_message(&emoji), Ok(Some(emoji.clone())));
        assert_eq!(
            check_message(&"x".repeat(501)),
            Err(MessageProblem::TooLong { chars: 501 })
        );
        assert_eq!(
            check_message(&"x".repeat(10_000)),
            Err(MessageProblem::TooLong { chars: 10_000 })
        );
        for control in ['\u{0}', '\u{7}', '\r', '\u{1b}', '\u{7f}', '\u{85}'] {
            assert_eq!(
                check_message(&format!("a{control}b")),
                Err(MessageProblem::ControlCharacter),
                "{control:?}"
            );
        }
        assert_eq!(message_chars("é🚀a"), 3);
    }
}
