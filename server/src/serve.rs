//! The connection loop: hyper's HTTP/1.1 server with the limits a public server needs, and a
//! shutdown that always ends.
//!
//! - A client that sends part of its headers and waits is dropped after `header_timeout`
//!   (hyper's header-read timeout), instead of holding a connection for ever.
//! - On Ctrl-C or SIGTERM the listener closes at once (new connections are refused), requests in
//!   flight finish, idle connections close, and whatever is still open after the grace period
//!   is dropped: the process ends within seconds whatever clients do.
//! - Requests hyper itself refuses before any handler sees them (a URI over 64 KiB: 414; too
//!   many or too large headers: 431; a malformed request line: 400) get the API's JSON error
//!   body and headers instead of hyper's empty one ([`ParserErrorsAsJson`]): the security
//!   headers every response carries, and a request ID of their own, logged.
//! - Every request carries the connection's peer address as axum's `ConnectInfo<SocketAddr>`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::{Extension, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tower::Layer as _;

use crate::http::error::ApiError;

/// Serves `app` on `listener` until `shutdown` resolves, then for at most `grace` more. A
/// client gets `header_timeout` to send each request's headers.
pub async fn run(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        // One buffer per response head, so `ParserErrorsAsJson` sees hyper's whole head.
        .writev(false);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait, don't spin.
                        tracing::warn!(%error, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let io = TokioIo::new(ParserErrorsAsJson::new(stream));
                // The peer's address, for the rate limit of callers without a token.
                let service = Extension(ConnectInfo(peer)).layer(app.clone());
                let connection =
                    builder.serve_connection(io, TowerToHyperService::new(service));
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection closed with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let open = graceful.count();
    tracing::info!(open_connections = open, "shutting down");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(
                open_connections = open,
                "connections still open after {grace:?} are dropped"
            );
        }
    }
}

/// Resolves on Ctrl-C or (on Unix) SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// A connection whose automatic error responses from hyper's parser come out as the API's JSON
/// error.
///
/// hyper answers a request it cannot parse on its own, with a status line, `content-length: 0`
/// and a date, then closes the connection; no service or layer ever sees it. That response is
/// the last thing written on the connection and the only one without the `x-request-id` that
/// every response of the app carries, which is how it is recognised here and replaced.
pub struct ParserErrorsAsJson<T> {
    inner: T,
    /// Bytes of a replacement still to be written.
    pending: Vec<u8>,
}

impl<T> ParserErrorsAsJson<T> {
    pub fn new(inner: T) -> Self {
        ParserErrorsAsJson {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<T: AsyncWrite + Unpin> ParserErrorsAsJson<T> {
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let written = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..written);
        }
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ParserErrorsAsJson<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ParserErrorsAsJson<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_drain(cx))?;
        if let Some(replacement) = json_for_parser_error(buf) {
            self.pending = replacement;
            // The caller's bytes are taken; the replacement goes out on the next drain.
            let _ = self.poll_drain(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// If `head` is one of hyper's automatic parser-error responses (400, 414 or 431, a bare head
/// with `content-length: 0` and no `x-request-id`), the full JSON response to send instead.
fn json_for_parser_error(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    let status_code = text.strip_prefix("HTTP/1.1 ")?.get(..3)?;
    let lower = text.to_ascii_lowercase();
    let is_automatic = matches!(status_code, "400" | "414" | "431")
        && lower.ends_with("\r\n\r\n")
        && lower.contains("\r\ncontent-length: 0\r\n")
        && !lower.contains("\r\nx-request-id:");
    if !is_automatic {
        return None;
    }
    let status = StatusCode::from_bytes(status_code.as_bytes()).ok()?;
    let body = ApiError::for_status(status).body();
    let request_id = uuid::Uuid::new_v4();
    tracing::info!(
        status = status.as_u16(),
        %request_id,
        "refused by the HTTP parser"
    );
    let security_headers: String = crate::site::csp::SECURITY_HEADERS
        .iter()
        .map(|(name, value)| format!("{}: {value}\r\n", name.to_ascii_lowercase()))
        .collect();
    Some(
        format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncache-control: no-store\r\n\
             {security_headers}x-request-id: {request_id}\r\nconnection: close\r\n\
             content-length: {}\r\n\r\n{body}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error"),
            body.len()
        )
        .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_hypers_own_error_heads() {
        let automatic =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 30 Nov 2026 01:00:00 GMT\r\n\r\n";
        let replaced =
            String::from_utf8(json_for_parser_error(automatic).expect("replaced")).expect("UTF-8");
        assert!(replaced.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(replaced.contains("\r\ncontent-type: application/json\r\n"));
        assert!(replaced.contains("\r\ncache-control: no-store\r\n"));
        // The same security headers as every other response, and a request ID.
        for (name, value) in crate::site::csp::SECURITY_HEADERS {
            let line = format!("\r\n{}: {value}\r\n", name.to_ascii_lowercase());
            assert!(replaced.contains(&line), "{line:?} in {replaced}");
        }
        assert!(replaced.contains("\r\nx-request-id: "), "{replaced}");
        let body = replaced.split("\r\n\r\n").nth(1).expect("a body");
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(json["error"]["code"], "headersTooLarge");

        for ours in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-request-id: 1\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}",
            b"{\"a\": 1}",
        ] {
            assert_eq!(json_for_parser_error(ours), None);
        }
    }
}
