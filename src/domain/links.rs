//! Which strings from the API may become links. The API is untrusted: a `javascript:` URL in a
//! privacy statement, or a paging link to another site, must never reach an `href` or a request.

/// `https:`/`http:` absolute URLs with a host and nothing that could break out of an attribute;
/// anything else is `None`, and the page simply shows no link.
pub fn safe_http_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.len() > 2048 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    if !(scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")) {
        return None;
    }
    let host = authority(rest);
    if host.is_empty() || host.contains('@') || host.contains(['<', '>', '"', '\'', '`']) {
        return None;
    }
    Some(url.to_string())
}

/// `mailto:` for a plain address (`name@example.com`); anything with extra headers, spaces or
/// markup is `None`.
pub fn mailto_href(email: &str) -> Option<String> {
    let email = email.trim();
    let (local, domain) = email.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!$'*+-=^_{|}~".contains(c));
    let domain_ok = domain.contains('.')
        && domain.len() <= 253
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    (local_ok && domain_ok).then(|| format!("mailto:{email}"))
}

/// An organization's logo as the page may load it: an `https:` URL anywhere, or a URL on the
/// API's own origin (`api_base`, absolute). Anything else (`javascript:`, `data:`, `http:`
/// elsewhere, a relative path, credentials in the host) is `None`, and the initials show.
pub fn logo_url(url: &str, api_base: &str) -> Option<String> {
    let url = safe_http_url(url)?;
    let https = url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    (https || same_origin(&url, api_base)).then_some(url)
}

/// True when two absolute URLs share scheme, host and port (default ports included), the test a
/// paging link must pass before the app follows it.
pub fn same_origin(a: &str, b: &str) -> bool {
    match (origin(a), origin(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn authority(after_scheme: &str) -> &str {
    let end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    &after_scheme[..end]
}

fn origin(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let auth = authority(rest);
    if auth.is_empty() || auth.contains('@') {
        return None;
    }
    let (host, port) = match auth.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || auth.starts_with('[') => {
            if p.is_empty() {
                (h, default_port)
            } else {
                (h, p.parse().ok()?)
            }
        }
        _ => (auth, default_port),
    };
    Some((scheme, host.to_ascii_lowercase(), port))
}

/// A paging link asking for `size` items a page: the API's links repeat the `$top` of the first
/// request, which the page keeps small on purpose. Only a `$top` parameter of the query is
/// changed (the fragment and every other parameter stay as they are); a link without one is
/// returned as it is.
pub fn with_page_size(link: &str, size: u32) -> String {
    let (before_fragment, fragment) = link.split_at(link.find('#').unwrap_or(link.len()));
    let Some((path, query)) = before_fragment.split_once('?') else {
        return link.to_string();
    };
    let mut changed = false;
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some(("$top" | "%24top", _)) => {
                changed = true;
                format!("$top={size}")
            }
            _ => param.to_string(),
        })
        .collect();
    if !changed {
        return link.to_string();
    }
    format!("{path}?{}{fragment}", params.join("&"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_size_changes_only_top() {
        use super::with_page_size;
        assert_eq!(
            with_page_size("https://a.example/api/v1/me/organizations?$orderby=displayName&$top=100&$skiptoken=x%3D", 999),
            "https://a.example/api/v1/me/organizations?$orderby=displayName&$top=999&$skiptoken=x%3D"
        );
        assert_eq!(with_page_size("/o?%24top=5#f", 9), "/o?$top=9#f");
        for kept in ["/o?$skiptoken=1", "/o", "/o?stop=1&top=2", "/o#$top=1"] {
            assert_eq!(with_page_size(kept, 9), kept);
        }
    }

    use super::*;

    #[test]
    fn only_web_links_are_allowed() {
        assert_eq!(
            safe_http_url("https://www.woodgrovebank.com/privacy").as_deref(),
            Some("https://www.woodgrovebank.com/privacy")
        );
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://",
            "//evil.example/",
            "https://user@evil.example/",
            "https://evil.example/\" onmouseover=\"alert(1)",
            "https://a b.example/",
            "ftp://files.example/",
        ] {
            assert_eq!(safe_http_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn logos_come_over_https_or_from_the_api_itself() {
        let api = "http://127.0.0.1:8080/api/v1";
        for good in [
            "https://cdn.fabrikam.example/logo.png",
            "http://127.0.0.1:8080/logos/fabrikam-0a1b2c3d.svg",
        ] {
            assert_eq!(logo_url(good, api).as_deref(), Some(good));
        }
        for bad in [
            "javascript:alert(1)",
            "data:image/svg+xml,<svg/>",
            "http://evil.example/logo.png",
            "/api/v1/../../logo.svg",
            "//evil.example/logo.png",
            "https://user@evil.example/logo.png",
            "logo.png",
            "",
        ] {
            assert_eq!(logo_url(bad, api), None, "{bad}");
        }
    }

    #[test]
    fn only_plain_addresses_become_mailto() {
        assert_eq!(
            mailto_href("privacy@woodgrovebank.com").as_deref(),
            Some("mailto:privacy@woodgrovebank.com")
        );
        for bad in [
            "privacy",
            "a@b",
            "a@b.com?subject=x",
            "a b@c.com",
            "<b>x</b>@c.com",
            "a@@c.com",
            "javascript:alert(1)//@x.com",
        ] {
            assert_eq!(mailto_href(bad), None, "{bad}");
        }
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert!(same_origin(
            "http://127.0.0.1:8080/api/v1/me/organizations?$skiptoken=3",
            "http://127.0.0.1:8080/api/v1"
        ));
        assert!(same_origin(
            "https://Example.com/a",
            "https://example.com:443/b"
        ));
        assert!(!same_origin(
            "https://evil.example/a",
            "https://example.com/a"
        ));
        assert!(!same_origin(
            "http://example.com/a",
            "https://example.com/a"
        ));
        assert!(!same_origin(
            "http://example.com:81/",
            "http://example.com/"
        ));
        assert!(!same_origin(
            "http://example.com@evil.example/",
            "http://example.com/"
        ));
        assert!(!same_origin("javascript:alert(1)", "http://example.com/"));
    }
}
