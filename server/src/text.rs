//! Text rules that know no transport: well-formed percent-encoding, GUIDs, and client text
//! shortened for a message.

/// Percent-decodes `text`, or `None` when it is not well-formed: a `%` not followed by two hex
/// digits, or bytes that are not UTF-8. Such a request is malformed and answered 400, not
/// guessed at (the usual decoders pass a bad escape through or substitute U+FFFD).
pub fn well_formed_percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(index, byte)| {
        *byte != b'%'
            || bytes
                .get(index + 1..index + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    if !escapes_ok {
        return None;
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// Validates a GUID in 8-4-4-4-12 hex form (either case) and returns it in
/// lowercase, the form organization ids are stored in.
pub fn normalize_guid(text: &str) -> Option<String> {
    let valid = text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        });
    valid.then(|| text.to_ascii_lowercase())
}

/// Client-provided text quoted in a message, cut to a readable length.
pub fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 60;
    if text.chars().count() <= MAX_CHARS {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX_CHARS).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids() {
        let lower = "4ad24fce-5b15-41c7-ba6b-4f73a7c56073";
        assert_eq!(normalize_guid(lower).as_deref(), Some(lower));
        assert_eq!(
            normalize_guid(&lower.to_uppercase()).as_deref(),
            Some(lower)
        );
        assert_eq!(
            normalize_guid("4AD24fce-5B15-41c7-ba6b-4f73a7c56073").as_deref(),
            Some(lower)
        );
        for bad in [
            "",
            "not-a-guid",
            "4ad24fce5b1541c7ba6b4f73a7c56073",
            "{4ad24fce-5b15-41c7-ba6b-4f73a7c56073}",
            "4ad24fce-5b15-41c7-ba6b-4f73a7c5607",
            "4ad24fce-5b15-41c7-ba6b-4f73a7c560733",
            "4ad24fcg-5b15-41c7-ba6b-4f73a7c56073",
            "4ad24fce-5b15-41c7-ba6b_4f73a7c56073",
            "4ad24fce-5b15-41c7-ba6b-4f73a7c5607é",
        ] {
            assert_eq!(normalize_guid(bad), None, "{bad}");
        }
    }
}
