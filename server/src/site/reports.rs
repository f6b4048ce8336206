//! Reports of what the document's Content Security Policy refused ([`super::csp`]): the policy
//! the server sends with the app says `report-uri` [`PATH`], and each report that arrives is
//! one warning in the log, so an operator sees a blocked script, style or image the people
//! using the page never mention (the page carries on without it), and the end-to-end tests
//! fail on any (`e2e/src/lib.rs`).
//!
//! A report is the browser's word, and anyone can send one: it is read as untrusted text.
//! Only the fields that say what was refused are logged, each escaped and capped
//! ([`Escaped`]), URLs without their query or fragment (a sign-in redirect's `code` lives in
//! the document's query); a body that isn't a report is refused with 400, a larger one with
//! 413; and at most [`PER_MINUTE`] reports a minute are logged (the rest are answered alike
//! and counted in the next one logged), so a flood of reports can't flood the log.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::Value;

use crate::telemetry::Escaped;

/// Where browsers send the reports.
pub const PATH: &str = "/csp-report";

/// Largest report body read: a report quotes the policy (under 1 KB) and a few URLs.
pub const BODY_LIMIT: usize = 16 * 1024;

/// Reports logged a minute, at most (in a burst as well).
pub const PER_MINUTE: u32 = 30;

/// The log's end of the reports: a limit on how many are logged.
pub struct Reports {
    limiter: DefaultDirectRateLimiter,
    dropped: AtomicU64,
}

impl Default for Reports {
    fn default() -> Self {
        Reports {
            limiter: RateLimiter::direct(Quota::per_minute(
                NonZeroU32::new(PER_MINUTE).unwrap_or(NonZeroU32::MIN),
            )),
            dropped: AtomicU64::new(0),
        }
    }
}

/// What a report says was refused.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Violation {
    pub document: String,
    pub directive: String,
    pub blocked: String,
    pub source: String,
    pub sample: String,
    pub disposition: String,
}

impl Reports {
    /// Reads a body POSTed to [`PATH`] and logs each violation it reports: 204, or 400 when
    /// it is not a report.
    pub fn receive(&self, body: &[u8]) -> StatusCode {
        let Some(violations) = parse(body) else {
            return StatusCode::BAD_REQUEST;
        };
        for violation in violations {
            if self.limiter.check().is_err() {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let not_logged = self.dropped.swap(0, Ordering::Relaxed);
            tracing::warn!(
                target: "csp",
                document = %Escaped(&violation.document),
                directive = %Escaped(&violation.directive),
                blocked = %Escaped(&violation.blocked),
                source = %Escaped(&violation.source),
                sample = %Escaped(&violation.sample),
                disposition = %Escaped(&violation.disposition),
                not_logged,
                "content security policy violation"
            );
        }
        StatusCode::NO_CONTENT
    }
}

/// The violations of a report body in either format browsers send: `report-uri`'s
/// (`application/csp-report`: `{"csp-report": {...}}`, kebab-case fields) or the Reporting
/// API's (`application/reports+json`: a list of `{"type": "csp-violation", "body": {...}}`,
/// camelCase fields). `None` when the body is neither; the Reporting API's other report types
/// are skipped.
pub fn parse(body: &[u8]) -> Option<Vec<Violation>> {
    let json: Value = serde_json::from_slice(body).ok()?;
    if let Some(report) = json.get("csp-report") {
        return Some(vec![violation(report, Format::ReportUri)?]);
    }
    let reports = json.as_array()?;
    let mut violations = Vec::new();
    for report in reports {
        if report.get("type")?.as_str()? == "csp-violation" {
            violations.push(violation(report.get("body")?, Format::Reporting)?);
        }
    }
    Some(violations)
}

#[derive(Clone, Copy)]
enum Format {
    ReportUri,
    Reporting,
}

fn violation(report: &Value, format: Format) -> Option<Violation> {
    report.as_object()?;
    let field = |report_uri: &str, reporting: &str| -> String {
        let name = match format {
            Format::ReportUri => report_uri,
            Format::Reporting => reporting,
        };
        match report.get(name) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) => number.to_string(),
            _ => String::new(),
        }
    };
    let mut directive = field("effective-directive", "effectiveDirective");
    if directive.is_empty() {
        directive = field("violated-directive", "effectiveDirective");
    }
    let mut source = without_query(&field("source-file", "sourceFile"));
    let line = field("line-number", "lineNumber");
    if !source.is_empty() && !line.is_empty() {
        source = format!("{source}:{line}:{}", field("column-number", "columnNumber"));
    }
    Some(Violation {
        document: without_query(&field("document-uri", "documentURL")),
        directive,
        blocked: without_query(&field("blocked-uri", "blockedURL")),
        source,
        sample: field("script-sample", "sample"),
        disposition: field("disposition", "disposition"),
    })
}

/// A URL without its query and fragment (what a browser may put there is nobody's business
/// in a log: a sign-in redirect's `code` and `state`).
fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_report_uri_report() {
        let body = br#"{"csp-report": {
            "document-uri": "https://myorgs.example/?code=secret&state=s",
            "referrer": "",
            "violated-directive": "style-src-attr",
            "effective-directive": "style-src-attr",
            "original-policy": "default-src 'self'; style-src 'self'; report-uri /csp-report",
            "disposition": "enforce",
            "blocked-uri": "inline",
            "line-number": 1,
            "column-number": 4180,
            "source-file": "https://myorgs.example/myorgs-0123.js?v=1",
            "status-code": 200,
            "script-sample": ""
        }}"#;
        assert_eq!(
            parse(body),
            Some(vec![Violation {
                document: "https://myorgs.example/".into(),
                directive: "style-src-attr".into(),
                blocked: "inline".into(),
                source: "https://myorgs.example/myorgs-0123.js:1:4180".into(),
                sample: String::new(),
                disposition: "enforce".into(),
            }])
        );
    }

    #[test]
    fn reads_reporting_api_reports_and_skips_other_types() {
        let body = br#"[
            {"type": "deprecation", "url": "https://myorgs.example/", "body": {"id": "x"}},
            {"type": "csp-violation", "url": "https://myorgs.example/", "body": {
                "documentURL": "https://myorgs.example/organizations#top",
                "effectiveDirective": "img-src",
                "blockedURL": "https://elsewhere.example/logo.png?token=t",
                "disposition": "enforce",
                "sample": "",
                "statusCode": 200
            }}
        ]"#;
        let violations = parse(body).expect("a report");
        assert_eq!(violations.len(), 1);
        assert_eq!(
            violations[0].document,
            "https://myorgs.example/organizations"
        );
        assert_eq!(violations[0].directive, "img-src");
        assert_eq!(violations[0].blocked, "https://elsewhere.example/logo.png");
        assert_eq!(violations[0].source, "");
    }

    #[test]
    fn an_old_browser_s_violated_directive_stands_in_for_the_effective_one() {
        let body = br#"{"csp-report": {"violated-directive": "img-src 'self'"}}"#;
        assert_eq!(
            parse(body).expect("a report")[0].directive,
            "img-src 'self'"
        );
    }

    #[test]
    fn what_is_not_a_report_is_refused() {
        for body in [
            &b""[..],
            b"not json",
            b"{}",
            b"42",
            br#"{"csp-report": "text"}"#,
            br#"[{"type": "csp-violation", "body": []}]"#,
            br#"[{"body": {}}]"#,
            br#"{"csp-report": {"blocked-uri": "inline""#,
        ] {
            assert_eq!(parse(body), None, "{}", String::from_utf8_lossy(body));
            assert_eq!(Reports::default().receive(body), StatusCode::BAD_REQUEST);
        }
    }

    #[test]
    fn a_flood_is_answered_but_not_all_logged() {
        let reports = Reports::default();
        let body = br#"{"csp-report": {"blocked-uri": "inline"}}"#;
        for _ in 0..PER_MINUTE + 5 {
            assert_eq!(reports.receive(body), StatusCode::NO_CONTENT);
        }
        assert_eq!(reports.dropped.load(Ordering::Relaxed), 5);
    }
}
