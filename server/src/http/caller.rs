//! Who is calling an API route, decided once per request (by the `identify` layer of
//! [`super::app`]), before the rate limit and the handlers: the rate limit counts a verified
//! person in their own bucket, and the handlers answer from the same decision, so no token is
//! checked twice and the two can't disagree.

use axum::http::{header, HeaderMap};

use crate::auth::{bearer_token, AuthError, Principal, Verifier};

/// What a request's `Authorization` header says about its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// `--no-auth`: a token names nobody.
    NoAuth,
    /// A token that checked out: the person it names.
    Verified(Principal),
    /// No token, a malformed header, or a refused token: why, for the handler to answer.
    Refused(AuthError),
}

impl Identity {
    /// Checks the request's token, if sign-in is on. Two `Authorization` headers, or one that
    /// isn't text, are malformed.
    pub async fn of(verifier: Option<&Verifier>, headers: &HeaderMap) -> Identity {
        let Some(verifier) = verifier else {
            return Identity::NoAuth;
        };
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let authorization = match (values.next(), values.next()) {
            (None, _) => None,
            (Some(value), None) => match value.to_str() {
                Ok(text) => Some(text),
                Err(_) => return Identity::Refused(AuthError::Malformed),
            },
            (Some(_), Some(_)) => return Identity::Refused(AuthError::Malformed),
        };
        match bearer_token(authorization) {
            Err(error) => Identity::Refused(error),
            Ok(token) => match verifier.verify(token).await {
                Ok(principal) => Identity::Verified(principal),
                Err(error) => Identity::Refused(error),
            },
        }
    }

    /// The verified person's user id (the `--user-claim`), if any.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Identity::Verified(principal) => Some(&principal.user_id),
            Identity::NoAuth | Identity::Refused(_) => None,
        }
    }
}
