//! Property tests of everything that reads untrusted input: a Rust panic kills a WebAssembly
//! app for good, so no JSON, string or number from the API, the identity provider, the address
//! bar or storage may make these panic, and none may turn into markup in words a person reads.
//! Runs on the host (`cargo test`), with proptest's random and shrunk inputs.

#![cfg(not(target_arch = "wasm32"))]

use myorgs::api::dto::{
    access_item, clean_message, pending_removal_request, AccessPageDto, MeDto, OrganizationPageDto,
    RemovalRequestDto,
};
use myorgs::api::{parse_retry_after, ApiError, Doing};
use myorgs::domain::{
    base64url, base64url_decode, check_id_token, check_message, is_guid, jwt_payload, mailto_href,
    message_chars, parse_rfc3339, safe_http_url, safe_return_path, same_origin, DateDisplay,
    IdClaims, Me, MessageProblem, Organization, PendingSignIn, SignInError,
};
use proptest::prelude::*;
use serde_json::Value;

/// The longest removal message, as the API's contract says (`RemovalRequestInput.message`'s
/// `maxLength` in `api/openapi.json`): read there, not from the app's constant, so that a
/// change to the constant alone fails the property below.
fn contract_max_message_chars() -> usize {
    let contract: Value = serde_json::from_str(include_str!("../api/openapi.json"))
        .expect("api/openapi.json is JSON");
    let max = &contract["components"]["schemas"]["RemovalRequestInput"]["properties"]["message"]
        ["maxLength"];
    max.as_u64()
        .and_then(|max| usize::try_from(max).ok())
        .expect("the message's maxLength")
}

/// Candidate return paths: random text after the starts a redirect trick uses (`//host`,
/// `/\host`, `\\host`, a scheme, a tab a browser would drop), which plain random text almost
/// never produces, and after an ordinary `/`.
fn return_path() -> impl Strategy<Value = String> {
    let start = prop_oneof![
        Just(""),
        Just("/"),
        Just("//"),
        Just("/\\"),
        Just("\\/"),
        Just("\\\\"),
        Just("///"),
        Just("//evil.example"),
        Just("/\\evil.example"),
        Just("/\t/evil.example"),
        Just("/\n/"),
        Just("https://evil.example"),
        Just("javascript:"),
        Just("/%2F/evil.example"),
    ];
    (start, ".{0,60}").prop_map(|(start, rest)| format!("{start}{rest}"))
}

/// Any JSON value, a few levels deep, with the keys the DTOs look for among random ones.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_string()),
        Just("displayName".to_string()),
        Just("defaultDomain".to_string()),
        Just("domains".to_string()),
        Just("tenantCategory".to_string()),
        Just("joinedDateTime".to_string()),
        Just("lastSignInDateTime".to_string()),
        Just("leave".to_string()),
        Just("allowed".to_string()),
        Just("reason".to_string()),
        Just("privacyContact".to_string()),
        Just("value".to_string()),
        Just("@odata.nextLink".to_string()),
        Just("userPrincipalName".to_string()),
        Just("removalRequest".to_string()),
        Just("status".to_string()),
        Just("createdDateTime".to_string()),
        Just("message".to_string()),
        Just("kind".to_string()),
        Just("lastUsedDateTime".to_string()),
        ".{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        Just(Value::String("8c2b14a3-7a20-4131-b327-2031c0d4557f".into())),
        Just(Value::String("2024-03-05T14:07:00Z".into())),
        Just(Value::String("guest".into())),
        Just(Value::String("pending".into())),
        Just(Value::String("app".into())),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_json_decodes_or_is_refused(value in json()) {
        let text = value.to_string();
        if let Ok(page) = OrganizationPageDto::parse(&text) {
            for dto in page.value {
                if let Ok(org) = Organization::try_from(dto) {
                    let _ = (org.can_leave(), org.leave_blocked_message(), org.other_domains());
                }
            }
        }
        if let Ok(me) = MeDto::parse(&text) {
            let _ = Me::try_from(me);
        }
        if let Ok(page) = AccessPageDto::parse(&text) {
            for dto in page.value {
                if let Ok(Some(item)) = access_item(dto) {
                    prop_assert!(is_guid(&item.id));
                    prop_assert!(!item.display_name.is_empty());
                }
            }
        }
        if let Ok(dto) = RemovalRequestDto::parse(&text) {
            if let Ok(Some(request)) = pending_removal_request(dto) {
                prop_assert!(is_guid(&request.id));
            }
        }
    }

    #[test]
    fn messages_follow_the_apis_rules_and_shown_ones_are_safe(
        // Any text, and clean text of about the longest length, where an off-by-one shows.
        text in prop_oneof!["(.|\n|\t|\r|\u{202e}){0,600}", "[a-zé🚀\n\t \u{202e}]{495,505}"],
    ) {
        let max_message_chars = contract_max_message_chars();
        match check_message(&text) {
            Ok(None) => prop_assert!(text.trim().is_empty()),
            Ok(Some(kept)) => {
                prop_assert_eq!(&kept, &text, "sent as typed");
                prop_assert!(message_chars(&kept) <= max_message_chars);
            }
            Err(MessageProblem::TooLong { chars }) => prop_assert!(chars > max_message_chars),
            Err(MessageProblem::ControlCharacter) => {
                prop_assert!(text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            }
        }
        if let Some(shown) = clean_message(&text) {
            prop_assert!(shown.chars().count() <= max_message_chars);
            let unsafe_char = |c: char| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}';
            prop_assert!(!shown.chars().any(unsafe_char), "{:?}", shown);
        }
    }

    #[test]
    fn any_text_as_json_is_refused_without_panic(text in ".{0,200}") {
        let _ = OrganizationPageDto::parse(&text);
        let _ = MeDto::parse(&text);
        let _ = AccessPageDto::parse(&text);
        let _ = RemovalRequestDto::parse(&text);
    }

    #[test]
    fn dates_and_links(text in ".{0,80}", other in ".{0,80}", when in any::<f64>(), now in any::<f64>()) {
        let _ = parse_rfc3339(&text);
        let _ = DateDisplay::decide(when, now);
        if let Some(url) = safe_http_url(&text) {
            prop_assert!(!url.contains(['<', '>', '"', '\'', '`']));
            prop_assert!(url.to_ascii_lowercase().starts_with("http"));
        }
        if let Some(href) = mailto_href(&text) {
            prop_assert!(href.starts_with("mailto:"));
            prop_assert!(!href.contains(['?', '&', '<', '>', ' ']));
        }
        let _ = same_origin(&text, &other);
    }

    #[test]
    fn error_words_never_carry_the_services_text(
        status in any::<u16>(),
        code in proptest::option::of(".{0,60}"),
        retry in proptest::option::of(any::<u32>()),
        why in ".{0,40}",
    ) {
        for error in [
            ApiError::Status { status, code: code.clone(), retry_after_secs: retry },
            ApiError::InvalidResponse(why.clone()),
            ApiError::Network,
            ApiError::Timeout,
            ApiError::NotLeft,
            ApiError::UntrustedLink,
            ApiError::RemovalNotApplicable,
            ApiError::MessageTooLong,
            ApiError::InvalidMessage,
            ApiError::from_status(status, code.clone(), retry),
        ] {
            for doing in [Doing::Loading, Doing::Leaving] {
                let words = error.user_message(doing).english();
                prop_assert!(!words.is_empty());
                if let Some(code) = code.as_deref().filter(|c| c.len() > 3) {
                    prop_assert!(!words.contains(code) || "The service is busy".contains(code));
                }
            }
        }
    }

    #[test]
    fn retry_after_any_header(value in ".{0,40}", now in any::<f64>()) {
        if let Some(secs) = parse_retry_after(Some(&value), |_| None, now) {
            prop_assert!((1..=3600).contains(&secs));
        }
        let _ = parse_retry_after(Some(&value), |_| Some(now + 5000.0), now);
    }

    #[test]
    fn return_paths_stay_on_this_site(candidate in return_path()) {
        let path = safe_return_path(&candidate);
        prop_assert!(path.starts_with('/'), "{:?} -> {:?}", candidate, path);
        prop_assert!(!path.starts_with("//"), "{:?} -> {:?}", candidate, path);
        prop_assert!(!path.contains('\\'), "{:?} -> {:?}", candidate, path);
        prop_assert!(!path.chars().any(char::is_control), "{:?} -> {:?}", candidate, path);
        // Kept as asked (without its fragment), or the start page.
        let asked = candidate.split('#').next().unwrap_or_default();
        prop_assert!(path == "/" || path == asked, "{:?} -> {:?}", candidate, path);
    }

    #[test]
    fn sign_in_rules(text in ".{0,120}", bytes in prop::collection::vec(any::<u8>(), 0..64), n in any::<i64>()) {
        let path = safe_return_path(&text);
        prop_assert!(path.starts_with('/') && !path.starts_with("//") && !path.contains('\\'));
        if let Some(pending) = PendingSignIn::decode(&text) {
            prop_assert_eq!(PendingSignIn::decode(&pending.encode()), Some(pending));
        }
        prop_assert_eq!(base64url_decode(&base64url(&bytes)), Some(bytes));
        let _ = base64url_decode(&text);
        let _ = jwt_payload(&text);
        let claims = IdClaims { iss: text.clone(), aud: vec![text.clone()], exp: n, ..IdClaims::default() };
        let _ = check_id_token(&claims, &text, "myorgs", "nonce", n);
        let _ = SignInError::from_callback(&text).user_message();
        let _ = SignInError::from_token_error(&text).user_message();
    }
}

/// The page's name order is the API's (`$orderby=displayName`): both fold the cleaned name the
/// same way, checked against the pairs the server's test reads too.
#[test]
fn names_fold_to_the_keys_the_api_sorts_by() {
    use unicode_normalization::UnicodeNormalization;
    let pairs: Vec<Value> = serde_json::from_str(include_str!("fixtures/sort-keys.json"))
        .expect("tests/fixtures/sort-keys.json is JSON");
    assert!(pairs.len() >= 20);
    let nfd = |text: &str| -> String { text.nfd().flat_map(char::to_lowercase).collect() };
    for pair in pairs {
        let (name, key) = (
            pair["name"].as_str().expect("a name"),
            pair["key"].as_str().expect("a key"),
        );
        let folded = myorgs::domain::find::fold(&myorgs::api::dto::clean_text(name), &nfd);
        assert_eq!(folded, key, "{name:?}");
    }
}
