//! `myorgs-server`: the reference implementation of the myorgs JSON API (Microsoft Graph
//! conventions) and the static host of the Trunk-built app.
//!
//! The binary (`main.rs`) reads the flags ([`config`]), starts the logs ([`telemetry`]), opens
//! the [`store`] and calls [`serve::run`]. How a request flows through the rest:
//!
//! 1. [`serve`] accepts the connection (hyper, HTTP/1.1) and turns the HTTP parser's own
//!    refusals into the API's JSON errors.
//! 2. [`http`] is the router inside its layers: a request ID (the client's only when plain),
//!    one log event ([`telemetry`]), the security headers ([`site::csp`]), strict framing
//!    ([`http::framing`]), the host allowlist ([`origin`]), CORS, the `--delay-ms`, the body
//!    read in time (408), a timeout, a body limit and, on the API's routes, compression of
//!    answers over 1 KB (brotli or gzip, as the client accepts), the caller identified once
//!    ([`http::caller`]: the token checked by [`auth`]) and then the rate limit
//!    ([`http::rate_limit`]), keyed by that caller.
//! 3. An API route's handler ([`http::organizations`], [`http::removal_requests`],
//!    [`http::departures`]) takes what
//!    [`http::extract`] checked: the person the caller's token named, with the scope the route
//!    needs, and its path and query ([`text`]).
//! 4. The handler awaits the [`store::Store`], which runs the SQLite queries
//!    ([`store::sqlite`]) on the blocking pool, or PostgreSQL's ([`store::postgres`]). Lists
//!    page by keyset, in list order or in the page's name order ([`store::name_key`]). The
//!    rules of leaving and of asking to be removed are plain functions of the model
//!    ([`store::model::leave_decision`], [`store::model::removal_decision`]), which the
//!    queries and the views both obey.
//! 5. It answers the store's types as wire types ([`http::views`]), or an
//!    [`http::error::ApiError`], which sign-in's and the store's errors become.
//! 6. Any other path is a demo logo ([`site::logos`]), a report of what the app's policy
//!    refused ([`site::reports`]), the built app ([`site`]), or 404.
//!
//! Imports go one way, as `scripts/check-layers.sh` checks: what the API stands on ([`store`],
//! [`auth`], [`telemetry`], [`text`], [`site`], [`origin`]) knows nothing of [`http`] or
//! [`config`]; `http/error.rs` knows only [`auth`] and [`store`]; and no file imports another
//! that imports it back.

pub mod auth;
pub mod config;
pub mod http;
pub mod origin;
pub mod serve;
pub mod site;
pub mod store;
pub mod telemetry;
pub mod text;
