//! The rules of signing in (OpenID Connect, authorization code + PKCE) as plain decisions: where
//! a person may be sent back to, which ID tokens are accepted, and what went wrong, in words.
//! The redirects, storage and requests are `api::auth`'s; nothing here touches the browser.

use super::i18n::Key;

/// Where the provider sends the browser back with a code (the default `redirectPath`).
pub const CALLBACK_PATH: &str = "/signin-callback";
/// Where the provider sends the browser after signing out.
pub const SIGNED_OUT_PATH: &str = "/signed-out";
/// Clock skew tolerated on an ID token's `exp`.
const SKEW_SECONDS: i64 = 60;

/// What must survive the redirect to the provider and back, in `sessionStorage`, and nothing
/// more: no token ever goes there. Removed as soon as the callback is handled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingSignIn {
    /// Checked against the callback's `state` (CSRF).
    pub state: String,
    /// Checked against the ID token's `nonce` (replay).
    pub nonce: String,
    /// The PKCE code verifier.
    pub verifier: String,
    /// The same-origin path to land on afterwards.
    pub return_to: String,
    /// A `prompt=none` attempt: if the provider needs the person, sign in interactively.
    pub silent: bool,
}

impl PendingSignIn {
    /// One line each: the three values are base64url and the path has no control characters
    /// (see [`safe_return_path`]), so no separator can occur inside a value. (Plain lines rather
    /// than JSON: serde's code for one more struct costs the download more than these lines.)
    pub fn encode(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n{}",
            self.state,
            self.nonce,
            self.verifier,
            if self.silent { "silent" } else { "interactive" },
            safe_return_path(&self.return_to)
        )
    }

    /// The inverse of [`PendingSignIn::encode`]; `None` for anything else.
    pub fn decode(text: &str) -> Option<PendingSignIn> {
        let mut lines = text.splitn(5, '\n');
        let mut next = || lines.next().map(str::to_string);
        let (state, nonce, verifier, mode, return_to) =
            (next()?, next()?, next()?, next()?, next()?);
        let silent = match mode.as_str() {
            "silent" => true,
            "interactive" => false,
            _ => return None,
        };
        let nonempty = !state.is_empty() && !nonce.is_empty() && !verifier.is_empty();
        nonempty.then(|| PendingSignIn {
            state,
            nonce,
            verifier,
            silent,
            return_to: safe_return_path(&return_to),
        })
    }
}

/// Whether a callback belongs to the sign-in this tab started: its `state` is exactly the
/// pending one (same bytes, nothing trimmed or folded), and neither is empty. Anything else is
/// a forged, stale or replayed callback, refused before its code is sent anywhere (CSRF).
pub fn callback_belongs_to(pending: &PendingSignIn, callback_state: Option<&str>) -> bool {
    callback_state.is_some_and(|state| !state.is_empty() && state == pending.state)
}

/// A path on this site to come back to after signing in: a same-origin absolute path (with its
/// query), never a full URL, a protocol-relative `//host` or a backslash trick; and never the
/// sign-in pages themselves. Anything else is `/`.
pub fn safe_return_path(candidate: &str) -> String {
    let path = candidate.split('#').next().unwrap_or_default();
    let same_origin_path = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.len() <= 2048;
    let route = path.split('?').next().unwrap_or_default();
    if same_origin_path && route != CALLBACK_PATH && route != SIGNED_OUT_PATH {
        path.to_string()
    } else {
        "/".to_string()
    }
}

/// Why signing in didn't work, each with its own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInError {
    /// The person (or a policy) said no.
    AccessDenied,
    /// The provider needs the person to sign in (a silent attempt found no session).
    LoginRequired,
    /// The callback doesn't belong to a sign-in this tab started (forged, stale or replayed).
    StateMismatch,
    /// The provider refused the code: expired, or already used.
    CodeRejected,
    /// The provider couldn't be reached or answered nonsense.
    ProviderUnreachable,
    /// The ID token isn't for this app, from this provider, for this sign-in, or is expired.
    InvalidIdToken(&'static str),
    /// Any other error the provider reported (its code, for the log).
    Provider(String),
}

impl SignInError {
    /// The error a provider reported on the callback (`error=...`).
    pub fn from_callback(code: &str) -> SignInError {
        match code {
            "access_denied" => SignInError::AccessDenied,
            "login_required"
            | "interaction_required"
            | "consent_required"
            | "account_selection_required" => SignInError::LoginRequired,
            other => SignInError::Provider(other.chars().take(64).collect()),
        }
    }

    /// The error of a token request (`{"error": ...}` from the token endpoint).
    pub fn from_token_error(code: &str) -> SignInError {
        match code {
            "invalid_grant" => SignInError::CodeRejected,
            other => SignInError::Provider(other.chars().take(64).collect()),
        }
    }

    /// What the sign-in error page says, in plain words.
    pub fn user_message(&self) -> Key {
        match self {
            SignInError::AccessDenied => Key::SignInCancelled,
            SignInError::LoginRequired => Key::SignInRequired,
            SignInError::StateMismatch => Key::SignInUnexpected,
            SignInError::CodeRejected => Key::SignInExpired,
            SignInError::ProviderUnreachable => Key::SignInUnreachable,
            SignInError::InvalidIdToken(_) => Key::SignInMismatch,
            SignInError::Provider(_) => Key::SignInProviderError,
        }
    }
}

/// The claims of an ID token this app reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdClaims {
    pub iss: String,
    /// One audience or several (a JWT's `aud` is a string or a list).
    pub aud: Vec<String>,
    pub exp: i64,
    pub nonce: Option<String>,
    pub azp: Option<String>,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
}

/// Checks the claims of an ID token received straight from the token endpoint (over TLS, so its
/// signature may be left to the transport, as OpenID Connect Core 3.1.3.7 allows): issued by
/// `issuer`, for `client_id`, for this sign-in's `nonce`, not expired at `now`.
pub fn check_id_token(
    claims: &IdClaims,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now: i64,
) -> Result<(), SignInError> {
    if claims.iss.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(SignInError::InvalidIdToken("issuer"));
    }
    let for_us = claims.aud.iter().any(|aud| aud == client_id)
        && (claims.aud.len() == 1 || claims.azp.as_deref() == Some(client_id));
    if !for_us {
        return Err(SignInError::InvalidIdToken("audience"));
    }
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(SignInError::InvalidIdToken("nonce"));
    }
    if claims.exp + SKEW_SECONDS < now {
        return Err(SignInError::InvalidIdToken("expired"));
    }
    Ok(())
}

/// Standard base64url without padding (RFC 4648 §5), as PKCE and JWTs use.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url (padding optional); `None` for anything else.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    };
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= u32::from(value(*c)?) << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

/// The payload of a compact JWT, as JSON text.
pub fn jwt_payload(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    String::from_utf8(base64url_decode(payload)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_belongs_only_to_its_own_sign_in() {
        let pending = PendingSignIn {
            state: "state-A_1".into(),
            nonce: "n".into(),
            verifier: "v".repeat(43),
            return_to: "/".into(),
            silent: false,
        };
        assert!(callback_belongs_to(&pending, Some("state-A_1")));
        for other in [
            None,
            Some(""),
            Some("state-B_1"),
            Some("state-A_"),
            Some("state-A_12"),
            Some("STATE-A_1"),
            Some(" state-A_1"),
            Some("state-A_1 "),
        ] {
            assert!(!callback_belongs_to(&pending, other), "{other:?}");
        }
        let empty = PendingSignIn {
            state: String::new(),
            ..pending
        };
        assert!(!callback_belongs_to(&empty, Some("")));
        assert!(!callback_belongs_to(&empty, None));
    }

    #[test]
    fn pending_sign_ins_survive_storage() {
        let pending = PendingSignIn {
            state: "s-1".into(),
            nonce: "n_2".into(),
            verifier: "v".repeat(43),
            return_to: "/organizations?q=a b".into(),
            silent: true,
        };
        assert_eq!(
            PendingSignIn::decode(&pending.encode()),
            Some(pending.clone())
        );
        let interactive = PendingSignIn {
            silent: false,
            ..pending
        };
        assert_eq!(
            PendingSignIn::decode(&interactive.encode()),
            Some(interactive)
        );
        for broken in [
            "",
            "a\nb\nc\nsilent",
            "a\nb\nc\nmaybe\n/",
            "\nb\nc\nsilent\n/",
        ] {
            assert_eq!(PendingSignIn::decode(broken), None, "{broken:?}");
        }
        let hostile =
            PendingSignIn::decode("a\nb\nc\nsilent\nhttps://evil.example/").expect("read");
        assert_eq!(hostile.return_to, "/");
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(safe_return_path("/organizations"), "/organizations");
        assert_eq!(
            safe_return_path("/organizations?x=1#top"),
            "/organizations?x=1"
        );
        for unsafe_path in [
            "https://evil.example/",
            "//evil.example/organizations",
            "/\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            "",
            "/signin-callback?code=x",
            "/signed-out",
            "/a\nb",
        ] {
            assert_eq!(safe_return_path(unsafe_path), "/", "{unsafe_path:?}");
        }
    }

    fn claims(aud: &[&str], nonce: &str, exp: i64) -> IdClaims {
        IdClaims {
            iss: "http://127.0.0.1:8090".into(),
            aud: aud.iter().map(|a| a.to_string()).collect(),
            exp,
            nonce: Some(nonce.into()),
            name: Some("Megan Bowen".into()),
            ..IdClaims::default()
        }
    }

    #[test]
    fn id_tokens_must_be_for_this_sign_in() {
        let issuer = "http://127.0.0.1:8090";
        let check = |c: &IdClaims| check_id_token(c, issuer, "myorgs", "n1", 1000);
        assert_eq!(check(&claims(&["myorgs"], "n1", 2000)), Ok(()));
        for (why, bad, expected) in [
            ("another app", claims(&["other"], "n1", 2000), "audience"),
            ("no audience", claims(&[], "n1", 2000), "audience"),
            (
                "several audiences, no azp",
                claims(&["myorgs", "other"], "n1", 2000),
                "audience",
            ),
            ("another sign-in", claims(&["myorgs"], "n2", 2000), "nonce"),
            ("expired", claims(&["myorgs"], "n1", 900), "expired"),
        ] {
            assert_eq!(
                check(&bad),
                Err(SignInError::InvalidIdToken(expected)),
                "{why}"
            );
        }
        let several = IdClaims {
            azp: Some("myorgs".into()),
            ..claims(&["myorgs", "other"], "n1", 2000)
        };
        assert_eq!(
            check(&several),
            Ok(()),
            "several audiences, authorized party us"
        );
        let no_nonce = IdClaims {
            nonce: None,
            ..claims(&["myorgs"], "n1", 2000)
        };
        assert_eq!(check(&no_nonce), Err(SignInError::InvalidIdToken("nonce")));
        assert_eq!(
            check_id_token(
                &claims(&["myorgs"], "n1", 2000),
                "https://evil.example",
                "myorgs",
                "n1",
                1000
            ),
            Err(SignInError::InvalidIdToken("issuer"))
        );
        assert_eq!(
            check(&claims(&["myorgs"], "n1", 1000 - 30)),
            Ok(()),
            "a minute of clock skew is tolerated"
        );
    }

    #[test]
    fn provider_errors_in_words() {
        assert_eq!(
            SignInError::from_callback("access_denied"),
            SignInError::AccessDenied
        );
        for silent in ["login_required", "interaction_required", "consent_required"] {
            assert_eq!(
                SignInError::from_callback(silent),
                SignInError::LoginRequired
            );
        }
        assert_eq!(
            SignInError::from_token_error("invalid_grant"),
            SignInError::CodeRejected
        );
        let odd = SignInError::from_callback(&"x".repeat(500));
        assert_eq!(odd, SignInError::Provider("x".repeat(64)));
        assert_eq!(odd.user_message(), Key::SignInProviderError);
    }

    #[test]
    fn base64url_round_trips() {
        // RFC 4648 test vectors, unpadded and URL-safe.
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff], "-_8"),
        ] {
            assert_eq!(base64url(bytes), text);
            assert_eq!(base64url_decode(text).as_deref(), Some(bytes));
        }
        assert_eq!(base64url_decode("Zg==").as_deref(), Some(&b"f"[..]));
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("a+b/"), None);
    }

    #[test]
    fn jwt_payloads() {
        let token = format!("e30.{}.sig", base64url(br#"{"sub":"1"}"#));
        assert_eq!(jwt_payload(&token).as_deref(), Some(r#"{"sub":"1"}"#));
        assert_eq!(jwt_payload("only.two"), None);
        assert_eq!(jwt_payload("a.!!!.c"), None);
    }
}
