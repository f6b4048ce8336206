//! The demo organizations' square logos, small SVG files built into the server and served under
//! [`PREFIX`], whatever `--dist` holds: each at a path with the start of its content's hash, so
//! browsers may keep it for a year ([`super::IMMUTABLE`]). Pages of another origin (the app's,
//! when the API is elsewhere) show them, so they say `Cross-Origin-Resource-Policy: cross-origin`
//! where everything else says `same-origin`; and an SVG opened on its own may run nothing
//! (`Content-Security-Policy: default-src 'none'`).

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::IMMUTABLE;

/// Where the logos are served.
pub const PREFIX: &str = "/logos/";

/// The policy of a logo opened on its own: an image, nothing to load or run.
const LOGO_POLICY: &str = "default-src 'none'; sandbox";

/// Each logo: its name and its SVG.
const FILES: [(&str, &[u8]); 4] = [
    ("contoso", include_bytes!("logos/contoso.svg")),
    ("fabrikam", include_bytes!("logos/fabrikam.svg")),
    ("proseware", include_bytes!("logos/proseware.svg")),
    ("woodgrove", include_bytes!("logos/woodgrove.svg")),
];

/// Each logo's file name (`name-hash.svg`), its name and its SVG.
static SERVED: LazyLock<Vec<(String, &'static str, &'static [u8])>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, svg)| {
            let digest = Sha256::digest(svg);
            let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
            (format!("{name}-{hash}.svg"), *name, *svg)
        })
        .collect()
});

/// The path of the logo called `name` on this server, or `None` when there is no such logo.
pub fn path(name: &str) -> Option<String> {
    SERVED
        .iter()
        .find(|(_, known, _)| *known == name)
        .map(|(file, _, _)| format!("{PREFIX}{file}"))
}

/// `GET /logos/{file}`: the logo, or a plain 404.
pub async fn serve(
    file: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    let found = file.ok().and_then(|Path(file)| {
        SERVED
            .iter()
            .find(|(served, _, _)| *served == file)
            .map(|(_, _, svg)| *svg)
    });
    let Some(svg) = found else {
        return (StatusCode::NOT_FOUND, "Not found\n").into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("image/svg+xml"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                HeaderValue::from_static("cross-origin"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(LOGO_POLICY),
            ),
        ],
        svg,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_logo_has_a_hashed_path_and_is_an_svg() {
        for (name, svg) in FILES {
            let path = path(name).expect("a path");
            assert!(path.starts_with(PREFIX), "{path}");
            assert!(path.ends_with(".svg") && path.len() == PREFIX.len() + name.len() + 13);
            let text = std::str::from_utf8(svg).expect("UTF-8");
            assert!(text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
            assert!(
                !text.contains("<script") && !text.contains("href"),
                "{name}"
            );
            assert!(svg.len() < 1024, "{name} is small");
        }
        assert_eq!(path("missing"), None);
    }
}
