//! Who is calling an API route, decided once per request, before the rate limit and the
//! handlers: the rate limit counts a verified person in their own bucket, and the handlers
//! answer from the same decision, so no token is checked twice and the two can't disagree.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::{bearer_token, AuthError, Principal};
use crate::AppState;

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
    /// Checks the request's token, if sign-in is on.
    pub async fn of(state: &AppState, headers: &HeaderMap) -> Identity {
        let Some(verifier) = &state.auth else {
            return Identity::NoAuth;
        };
        match bearer_token(headers) {
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

/// Middleware on the API's routes: puts the request's [`Identity`] in its extensions.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let identity = Identity::of(&state, request.headers()).await;
    request.extensions_mut().insert(identity);
    next.run(request).await
}
