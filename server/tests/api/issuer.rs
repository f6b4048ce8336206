//! A stand-in OpenID provider for the sign-in scenarios: it serves a discovery document and a
//! JWKS on loopback and mints access tokens with the test keys in `keys/` (made for these tests
//! with `openssl genpkey`; they protect nothing). The end-to-end tests use the real provider.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

pub(crate) const RSA_PEM: &[u8] = include_bytes!("keys/rsa.pem");
pub(crate) const RSA_PUBLIC_PEM: &[u8] = include_bytes!("keys/rsa-public.pem");
pub(crate) const RSA_ROTATED_PEM: &[u8] = include_bytes!("keys/rsa-rotated.pem");
pub(crate) const EC_PEM: &[u8] = include_bytes!("keys/ec.pem");

pub(crate) const AUDIENCE: &str = "api://myorgs";
pub(crate) const MEGAN: &str = "48d31887-5fad-4d73-a9f5-3c356e68a038";
pub(crate) const ALEX: &str = "9e5b2f6a-3c1d-4e8f-a7b6-0d1c2e3f4a5b";
pub(crate) const BOTH_SCOPES: &str = "myorgs.read myorgs.leave";

/// A key the issuer publishes (or not) and signs with.
#[derive(Clone, Copy)]
pub(crate) struct SigningKey {
    pub(crate) kid: &'static str,
    pub(crate) alg: Algorithm,
    pub(crate) pem: &'static [u8],
}

pub(crate) const RS256: SigningKey = SigningKey {
    kid: "rsa-1",
    alg: Algorithm::RS256,
    pem: RSA_PEM,
};
pub(crate) const PS256: SigningKey = SigningKey {
    kid: "rsa-pss-1",
    alg: Algorithm::PS256,
    pem: RSA_PEM,
};
pub(crate) const ES256: SigningKey = SigningKey {
    kid: "ec-1",
    alg: Algorithm::ES256,
    pem: EC_PEM,
};
pub(crate) const ROTATED: SigningKey = SigningKey {
    kid: "rsa-2",
    alg: Algorithm::RS256,
    pem: RSA_ROTATED_PEM,
};

impl SigningKey {
    fn encoding_key(&self) -> EncodingKey {
        match self.alg {
            Algorithm::ES256 => EncodingKey::from_ec_pem(self.pem),
            _ => EncodingKey::from_rsa_pem(self.pem),
        }
        .expect("a test key")
    }

    fn jwk(&self) -> Jwk {
        let mut jwk = Jwk::from_encoding_key(&self.encoding_key(), self.alg).expect("a JWK");
        jwk.common.key_id = Some(self.kid.to_owned());
        jwk
    }
}

/// Reads a request's head; its request line, or `None` if the connection broke first.
fn read_head(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    Some(request_line)
}

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(elapsed.as_secs()).expect("in range")
}

/// How the provider answers, changed on demand to play a provider in trouble.
const ANSWERS: u8 = 0;
/// Every request: 500, at once.
const FAILS: u8 = 1;
/// Every request: read, then never answered; the connection is held until the server gives up.
const HANGS: u8 = 2;

/// The provider on a loopback port, publishing `keys`.
pub(crate) struct Issuer {
    pub(crate) url: String,
    published: Arc<Mutex<Vec<SigningKey>>>,
    jwks_fetches: Arc<AtomicUsize>,
    mode: Arc<AtomicU8>,
    /// Requests received, whatever the mode.
    requests: Arc<AtomicUsize>,
    /// Requests held unanswered (`HANGS`), and how many of those the server has given up on.
    held: Arc<AtomicUsize>,
    abandoned: Arc<AtomicUsize>,
}

impl Issuer {
    pub(crate) fn start(keys: &[SigningKey]) -> Issuer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let published = Arc::new(Mutex::new(keys.to_vec()));
        let jwks_fetches = Arc::new(AtomicUsize::new(0));
        let issuer = Issuer {
            url: url.clone(),
            published: Arc::clone(&published),
            jwks_fetches: Arc::clone(&jwks_fetches),
            mode: Arc::new(AtomicU8::new(ANSWERS)),
            requests: Arc::new(AtomicUsize::new(0)),
            held: Arc::new(AtomicUsize::new(0)),
            abandoned: Arc::new(AtomicUsize::new(0)),
        };
        let (mode, requests, held, abandoned) = (
            Arc::clone(&issuer.mode),
            Arc::clone(&issuer.requests),
            Arc::clone(&issuer.held),
            Arc::clone(&issuer.abandoned),
        );
        // Serves until the test program ends.
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let Some(request_line) = read_head(&stream) else {
                    continue;
                };
                requests.fetch_add(1, Ordering::SeqCst);
                match mode.load(Ordering::SeqCst) {
                    FAILS => {
                        let _ = write!(
                            &stream,
                            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        );
                        continue;
                    }
                    HANGS => {
                        held.fetch_add(1, Ordering::SeqCst);
                        let abandoned = Arc::clone(&abandoned);
                        std::thread::spawn(move || {
                            // Until the server closes the connection.
                            let mut rest = Vec::new();
                            let _ = (&stream).read_to_end(&mut rest);
                            abandoned.fetch_add(1, Ordering::SeqCst);
                        });
                        continue;
                    }
                    _ => {}
                }
                let path = request_line.split(' ').nth(1).unwrap_or_default();
                let body = match path {
                    "/.well-known/openid-configuration" => {
                        json!({"issuer": url, "jwks_uri": format!("{url}/jwks")}).to_string()
                    }
                    "/jwks" => {
                        jwks_fetches.fetch_add(1, Ordering::SeqCst);
                        let keys = published.lock().expect("not poisoned");
                        serde_json::to_string(&JwkSet {
                            keys: keys.iter().map(SigningKey::jwk).collect(),
                        })
                        .expect("JSON")
                    }
                    _ => String::new(),
                };
                let status = if body.is_empty() {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    &stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        issuer
    }

    /// From now on, every request is answered 500 at once.
    pub(crate) fn fail(&self) {
        self.mode.store(FAILS, Ordering::SeqCst);
    }

    /// From now on, no request is answered: each is held until the server gives up on it.
    pub(crate) fn hang(&self) {
        self.mode.store(HANGS, Ordering::SeqCst);
    }

    /// From now on, requests are answered again.
    pub(crate) fn recover(&self) {
        self.mode.store(ANSWERS, Ordering::SeqCst);
    }

    /// Requests received so far, whatever the mode.
    pub(crate) fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Requests held unanswered so far.
    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    /// Held requests the server has given up on (closed) so far.
    pub(crate) fn abandoned(&self) -> usize {
        self.abandoned.load(Ordering::SeqCst)
    }

    /// Publishes these keys from now on (key rotation).
    pub(crate) fn publish(&self, keys: &[SigningKey]) {
        *self.published.lock().expect("not poisoned") = keys.to_vec();
    }

    pub(crate) fn jwks_fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Good claims for `sub` with `scope`, valid for ten minutes.
    pub(crate) fn claims(&self, sub: &str, scope: &str) -> Value {
        let now = now();
        json!({
            "iss": self.url,
            "aud": AUDIENCE,
            "sub": sub,
            "scope": scope,
            "iat": now,
            "nbf": now - 5,
            "exp": now + 600,
            "client_id": "myorgs",
        })
    }

    /// A token over `claims`, signed with `key`.
    pub(crate) fn sign(&self, key: SigningKey, claims: &Value) -> String {
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.to_owned());
        header.typ = Some("at+jwt".to_owned());
        encode(&header, claims, &key.encoding_key()).expect("a token")
    }

    /// A good RS256 token for `sub` with `scope`.
    pub(crate) fn token(&self, sub: &str, scope: &str) -> String {
        self.sign(RS256, &self.claims(sub, scope))
    }
}
