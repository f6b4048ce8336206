//! Logs through `tracing`: human-readable lines by default, one JSON object per line with
//! `--log-format json`; levels from `RUST_LOG` (default `info`). One event per request, with
//! method, path, status, latency and request ID. Never the query string, cookies, or any
//! header but the request ID; every client-supplied value is escaped, so a path or an ID with
//! line breaks or bidi controls cannot forge or disguise a log line.

use std::fmt;
use std::io::IsTerminal as _;
use std::time::Duration;

use axum::http::{Request, Response};
use clap::ValueEnum;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;
use tracing_subscriber::EnvFilter;

/// How log events are written (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Installs the global subscriber. Call once, first thing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second call (tests) keeps the first subscriber: nothing to report.
    let _ = match format {
        LogFormat::Human => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// The request span and its one closing event.
pub type RequestTraceLayer =
    TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, (), LogResponse, (), (), ()>;

pub fn trace_layer() -> RequestTraceLayer {
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_request(())
        .on_response(LogResponse)
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// A span per request: method, path (without the query) and request ID.
#[derive(Debug, Clone, Copy)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let request_id = request
            .headers()
            .get("x-request-id")
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %Escaped(request.method().as_str()),
            path = %Escaped(request.uri().path()),
            request_id = %Escaped(&request_id),
        )
    }
}

/// The request's one event: status and latency, inside the request's span.
#[derive(Debug, Clone, Copy)]
pub struct LogResponse;

impl<B> OnResponse<B> for LogResponse {
    fn on_response(self, response: &Response<B>, latency: Duration, span: &Span) {
        let status = response.status().as_u16();
        let latency_ms = latency.as_secs_f64() * 1000.0;
        if response.status().is_server_error() {
            tracing::warn!(parent: span, status, latency_ms, "served");
        } else {
            tracing::info!(parent: span, status, latency_ms, "served");
        }
    }
}

/// Client text made safe for a log line: printable ASCII as it is, everything else (control
/// characters, line and paragraph separators, bidi controls, any non-ASCII) as `\u{…}`, and at
/// most [`Escaped::MAX_CHARS`] characters.
pub struct Escaped<'a>(pub &'a str);

impl Escaped<'_> {
    pub const MAX_CHARS: usize = 512;
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, c) in self.0.chars().enumerate() {
            if index == Self::MAX_CHARS {
                return f.write_str("…");
            }
            if c == '\\' {
                f.write_str("\\\\")?;
            } else if c == ' ' || c.is_ascii_graphic() {
                fmt::Write::write_char(f, c)?;
            } else {
                write!(f, "{}", c.escape_unicode())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_text_cannot_forge_or_disguise_a_line() {
        assert_eq!(Escaped("/api/v1/me").to_string(), "/api/v1/me");
        assert_eq!(
            Escaped("/a\nGET /fake 200").to_string(),
            "/a\\u{a}GET /fake 200"
        );
        assert_eq!(Escaped("/\u{202E}gnp.exe").to_string(), "/\\u{202e}gnp.exe");
        assert_eq!(Escaped("/x\u{2028}y").to_string(), "/x\\u{2028}y");
        assert_eq!(Escaped("a\\u{a}").to_string(), "a\\\\u{a}");
        assert_eq!(Escaped("é").to_string(), "\\u{e9}");
        let long = "x".repeat(1000);
        assert_eq!(
            Escaped(&long).to_string().chars().count(),
            Escaped::MAX_CHARS + 1
        );
    }
}
