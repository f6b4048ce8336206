//! The page in every language it speaks, in real browsers: every word of every state comes from a
//! catalog (the pseudo-locale shows any that doesn't), long words still reflow at 320 px, Arabic
//! reads right to left and passes the accessibility audit, the browser's language is honoured and
//! beaten by a saved choice and by `?lang=`, and switching needs no reload.

#![allow(clippy::unwrap_used)] // a test that can't find what it looks for should fail loudly

use fantoccini::key::Key;
use myorgs_e2e::{
    browsers, button, heading, Browser, Scheme, Server, SignedInServer, MEGAN, OPEN_DIALOG,
    WINDOW_WIDTH,
};
use serde_json::{json, Map, Value};

/// The pseudo-locale's code.
const PSEUDO: &str = "en-XA";

/// A language's texts as the page shows them: its catalog in `locales/`, or for the
/// pseudo-locale English made over the way the app makes it (`domain::i18n::pseudo`).
struct Words {
    code: &'static str,
    texts: Map<String, Value>,
}

impl Words {
    fn of(code: &'static str) -> Words {
        let file = if code == PSEUDO { "en" } else { code };
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../locales/{file}.json"));
        let texts = match serde_json::from_str(&std::fs::read_to_string(path).unwrap()) {
            Ok(Value::Object(texts)) => texts,
            other => panic!("{file}.json: {other:?}"),
        };
        Words { code, texts }
    }

    /// The text of `key` (for a count-dependent one, its "other" form).
    fn get(&self, key: &str) -> String {
        let text = match &self.texts[key] {
            Value::String(text) => text.as_str(),
            Value::Object(forms) => forms["other"].as_str().unwrap(),
            other => panic!("{key}: {other:?}"),
        };
        if self.code == PSEUDO {
            pseudo(text)
        } else {
            text.to_string()
        }
    }

    /// The text of `key` with its `{name}` filled.
    fn named(&self, key: &str, name: &str) -> String {
        self.get(key).replace("{name}", name)
    }

    /// `?lang=` for this language.
    fn query(&self) -> String {
        format!("?lang={}", self.code)
    }
}

/// English accented, vowels doubled, bracketed, `{placeholders}` untouched.
fn pseudo(english: &str) -> String {
    const FROM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const TO: &str = "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ";
    let mut out = String::from('⟦');
    let mut rest = english;
    while let Some(c) = rest.chars().next() {
        if c == '{' {
            let slot = rest[1..].find('}').map(|close| &rest[1..=close]);
            if let Some(name) = slot
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
            {
                out.push_str(&rest[..name.len() + 2]);
                rest = &rest[name.len() + 2..];
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        match FROM.find(c) {
            Some(at) => {
                let accented = TO.chars().nth(at).unwrap();
                out.push(accented);
                if "aeiouAEIOU".contains(c) {
                    out.push(accented);
                }
            }
            None => out.push(c),
        }
    }
    out.push('⟧');
    out
}

/// The card of the organization named `name` and its leave button, by accessible name.
fn leave_button(w: &Words, name: &str) -> String {
    button(&w.named("leave_organization_named", name))
}

/// Visits every state of the page in `w`'s language, from a fresh server each time it needs one,
/// and runs `check` at each with the state's name. The states are the accessibility audit's
/// (`accessibility.rs`) plus the sign-in pages.
async fn every_state(b: &Browser, w: &Words, mut check: impl AsyncFnMut(&Browser, &str)) {
    let q = w.query();
    let server = Server::start(&[]);
    b.goto(&format!("{}/{q}", server.url)).await;
    b.wait_for(&format!(
        "//main//p[normalize-space(.)={}]",
        myorgs_e2e::xpath_string(&w.named("home_organization_is", "Contoso"))
    ))
    .await;
    check(b, "overview").await;

    b.goto(&format!("{}/organizations{q}", server.url)).await;
    b.wait_for(&heading(3, "Fabrikam")).await;
    b.wait_for(&heading(1, &w.get("organizations"))).await;
    check(b, "organizations").await;

    b.click(&leave_button(w, "Fabrikam")).await;
    b.wait_for(&format!(
        "{OPEN_DIALOG}{}",
        heading(2, &w.named("leave_title", "Fabrikam"))
    ))
    .await;
    check(b, "leave-dialog").await;

    // The service goes away: the leave, sent when its moment to undo is over, fails (the toast
    // says so and the row is back), and loading fails on the page.
    drop(server);
    b.click(&format!("{OPEN_DIALOG}{}", button(&w.get("leave"))))
        .await;
    b.wait_for(&format!(
        "//*[@role='status']//button[normalize-space(.)={}]",
        myorgs_e2e::xpath_string(&w.get("undo"))
    ))
    .await;
    // The row's fold (200 ms) is over: axe's wait for animations would abort on its removal.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    check(b, "leave-undo").await;
    b.wait_for(&myorgs_e2e::status(&w.get("error_network")))
        .await;
    b.wait_for(&heading(3, "Fabrikam")).await;
    check(b, "leave-failed").await;
    // A row's details, and an outcome in the toast (a copy, done or refused).
    b.click(&button(&w.named("details_for", "Woodgrove Bank")))
        .await;
    b.wait_for("//li//dt").await;
    check(b, "details").await;
    b.click(&button(&w.named("copy_tenant_id", "Woodgrove Bank")))
        .await;
    b.wait_for("//div[contains(@class, 'toast') and not(contains(@class, 'toast-hidden'))]")
        .await;
    check(b, "toast").await;
    // What was loaded stays for the tab's life, so a failed load is a fresh page whose service
    // goes away while the list is on its way.
    let server = Server::start(&["--delay-ms", "3000"]);
    b.goto(&format!("{}/organizations{q}", server.url)).await;
    b.wait_for("//main[@id='main']//*[@aria-busy='true']").await;
    drop(server);
    b.wait_for(&button(&w.get("try_again"))).await;
    check(b, "load-error").await;

    let server = Server::start(&[]);
    b.goto(&format!("{}/no/such/page{q}", server.url)).await;
    b.wait_for(&heading(1, &w.get("not_found_title"))).await;
    check(b, "not-found").await;

    let server = Server::start(&["--no-home"]);
    b.goto(&format!("{}/organizations{q}", server.url)).await;
    b.wait_for(&heading(3, "Fabrikam")).await;
    check(b, "no-home").await;

    let server = Server::start(&["--no-demo-guests"]);
    b.goto(&format!("{}/organizations{q}", server.url)).await;
    b.wait_for(&format!(
        "//main//p[normalize-space(.)={}]",
        myorgs_e2e::xpath_string(&w.get("no_other_organizations"))
    ))
    .await;
    check(b, "empty").await;

    let server = Server::start(&["--delay-ms", "30000"]);
    b.goto(&format!("{}/organizations{q}", server.url)).await;
    b.wait_for("//main[@id='main']//*[@aria-busy='true']").await;
    check(b, "loading").await;
    drop(server);

    let server = SignedInServer::start(&[]);
    b.goto(&format!("{}/signed-out{q}", server.url)).await;
    b.wait_for(&heading(1, &w.get("signed_out_title"))).await;
    check(b, "signed-out").await;

    b.goto(&format!(
        "{}/signin-callback?error=access_denied&lang={}",
        server.url, w.code
    ))
    .await;
    b.wait_for(&heading(1, &w.get("sign_in_failed_title")))
        .await;
    b.wait_for(&format!(
        "//main//p[normalize-space(.)={}]",
        myorgs_e2e::xpath_string(&w.get("sign_in_cancelled"))
    ))
    .await;
    check(b, "sign-in-failed").await;
}

/// Every visible text and accessible name on the page that isn't pseudo-localized: each text
/// node of a shown element (a visually hidden one, read by screen readers, counts as shown) and
/// each `aria-label`, `aria-description`, `title`, `alt` and `placeholder`, and the document's
/// title, must be free of ASCII letters once the service's data is taken out. Text inside what
/// the page marks as data is skipped: `<bdi>`, `<code>`, `<time>` (dates are Intl's, not the
/// catalog's) and elements declared in another language (the picker's language names). A
/// `dir="auto"` element isolates data too, but may hold a sentence around it, so its text is
/// checked with the data strings taken out: those the service sent (`arguments[0]`, see
/// [`SERVICE_DATA`]: which element of the page holds nothing but data can't be told from one
/// holding untranslated text) and the texts of `<bdi>` and `<code>` elements. Returns one line
/// per offender with a CSS path, and the data strings, so a test can tell it looked.
const UNTRANSLATED: &str = r#"
    const ASCII = /[A-Za-z]/;
    const cssPath = e => {
        const parts = [];
        for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
            let part = n.tagName.toLowerCase();
            if (n.id) { parts.unshift(part + '#' + CSS.escape(n.id)); break; }
            if (n.classList.length) part += '.' + [...n.classList].map(c => CSS.escape(c)).join('.');
            const siblings = n.parentElement ? [...n.parentElement.children].filter(c => c.tagName === n.tagName) : [];
            if (siblings.length > 1) part += `:nth-of-type(${siblings.indexOf(n) + 1})`;
            parts.unshift(part);
        }
        return parts.join(' > ');
    };
    // Clipped to a pixel or less: hidden from the eye, read by screen readers.
    const visuallyHidden = e => {
        for (let a = e; a; a = a.parentElement) {
            const s = getComputedStyle(a);
            const r = a.getBoundingClientRect();
            const clips = s.clip !== 'auto' || s.clipPath !== 'none' || s.overflow !== 'visible';
            if (clips && r.width <= 1 && r.height <= 1) return true;
        }
        return false;
    };
    const shown = e => {
        if (e.closest('script, style, template, noscript, [hidden], [aria-hidden="true"]')) return false;
        if (!e.checkVisibility({ visibilityProperty: true })) return false;
        const r = e.getBoundingClientRect();
        return r.width > 0 || r.height > 0 || visuallyHidden(e);
    };
    const DATA = 'bdi, code, time, [lang]:not(html)';
    const found = new Set(arguments[0]);
    for (const e of document.querySelectorAll('bdi, code')) found.add(e.textContent.trim());
    const data = [...found].filter(s => s).sort((a, b) => b.length - a.length);
    const scrub = text => data.reduce((t, s) => t.split(s).join(''), text);
    const offenders = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
        const e = node.parentElement;
        if (!e || !ASCII.test(node.data) || e.closest(DATA) || !shown(e)) continue;
        // A dir="auto" element holds data, maybe inside a sentence: the sentence must be translated.
        const text = e.closest('[dir="auto"]') ? scrub(node.data) : node.data;
        if (ASCII.test(text)) offenders.push(`text ${JSON.stringify(node.data.trim())} at ${cssPath(e)}`);
    }
    const NAMES = ['aria-label', 'aria-description', 'title', 'alt', 'placeholder'];
    for (const e of document.querySelectorAll('*'))
        for (const attribute of NAMES) {
            const value = e.getAttribute(attribute);
            if (value !== null && ASCII.test(scrub(value)))
                offenders.push(`${attribute}=${JSON.stringify(value)} at ${cssPath(e)}`);
        }
    if (ASCII.test(scrub(document.title))) offenders.push(`document.title ${JSON.stringify(document.title)}`);
    return { offenders, data, lang: document.documentElement.lang };
"#;

/// Whether anything makes the page scroll sideways or sticks out of the viewport at either side,
/// one line per problem. Elements inside a visually hidden box, or a closed dialog, show nothing.
const OVERFLOW: &str = r#"
    const vw = document.documentElement.clientWidth;
    const problems = [];
    const root = document.scrollingElement || document.documentElement;
    if (root.scrollWidth > vw || document.documentElement.scrollWidth > innerWidth)
        problems.push(`the page scrolls sideways: ${root.scrollWidth}px in ${vw}px (window ${innerWidth}px)`);
    const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().replace(/\s+/g, '.') : '')
        + ` "${(e.textContent || '').trim().slice(0, 40)}"`;
    for (const e of document.querySelectorAll('body *')) {
        const r = e.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue;
        if (e.closest('dialog:not([open])')) continue;
        let hidden = false;
        for (let a = e.parentElement; a && !hidden; a = a.parentElement) {
            const ar = a.getBoundingClientRect();
            hidden = ar.width <= 1 && getComputedStyle(a).overflow !== 'visible';
        }
        if (hidden) continue;
        if (r.right > vw + 0.5 || r.left < -0.5)
            problems.push(`${describe(e)} sticks out: ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}px`);
    }
    return problems;
"#;

/// English the check above must find: a sentence around a name in a `dir="auto"` element, and
/// a button's English name.
const CANARIES: &str = r#"
    const p = document.createElement('p');
    p.className = 'canary';
    p.dir = 'auto';
    p.textContent = 'Canary sentence by Fabrikam';
    const b = document.createElement('button');
    b.className = 'canary';
    b.setAttribute('aria-label', 'Canary label');
    b.textContent = '⟦⟧';
    document.querySelector('main').append(p, b);
"#;

/// The strings of the signed-in person's data as the service sends them: names, UPN, domains,
/// tenant IDs and sponsors, of the organizations and of those left (every seeded server has the
/// same demo data, or part of it).
const SERVICE_DATA: &str = r#"
    const get = path => fetch(path).then(r => r.json());
    const sponsors = x => (x.sponsors || []).map(s => s.displayName);
    return Promise.all([get('/api/v1/me'), get('/api/v1/me/organizations'), get('/api/v1/me/departures')])
      .then(([me, orgs, left]) =>
        [me.displayName, me.userPrincipalName,
         ...orgs.value.flatMap(o => [o.displayName, o.defaultDomain, ...o.domains, o.id, ...sponsors(o)]),
         ...left.value.flatMap(d => [d.displayName, d.defaultDomain, ...sponsors(d)])]);
"#;

async fn service_data(b: &Browser) -> Vec<String> {
    let data = b.js(SERVICE_DATA).await;
    let data: Vec<String> = serde_json::from_value(data).unwrap();
    assert!(data.len() > 20, "[{}] the service's data: {data:?}", b.name);
    data
}

async fn untranslated(
    b: &Browser,
    state: &str,
    known: &[String],
    report: &mut Vec<String>,
) -> Vec<String> {
    let found = b
        .client
        .execute(UNTRANSLATED, vec![json!(known)])
        .await
        .unwrap_or_else(|e| panic!("[{}] the check: {e}", b.name));
    assert_eq!(found["lang"], PSEUDO, "[{}] {state}: <html lang>", b.name);
    for offender in found["offenders"].as_array().unwrap() {
        report.push(format!(
            "[{}] {state}: {}",
            b.name,
            offender.as_str().unwrap()
        ));
    }
    found["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

async fn overflow(b: &Browser, what: &str, report: &mut Vec<String>) {
    let width = b.viewport_width().await;
    for problem in b.js(OVERFLOW).await.as_array().unwrap() {
        report.push(format!(
            "[{}] {what} at {width}px: {}",
            b.name,
            problem.as_str().unwrap()
        ));
    }
}

fn assert_clean(report: &[String], what: &str) {
    assert!(
        report.is_empty(),
        "{} {what}:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[tokio::test]
async fn every_word_of_every_state_comes_from_a_catalog_and_reflows() {
    let w = Words::of(PSEUDO);
    let mut report = Vec::new();
    let mut reflow = Vec::new();
    for name in browsers() {
        let b = Browser::start(&name).await;
        let mut checked = Vec::new();
        let mut known = Vec::new();
        every_state(&b, &w, async |b: &Browser, state: &str| {
            if state == "overview" {
                known = service_data(b).await;
            }
            let data = untranslated(b, state, &known, &mut report).await;
            if state == "organizations" {
                // The rule above takes data out: it must have found the data to take out.
                let tenant = "8c2b14a3-7a20-4131-b327-2031c0d4557f"; // Fabrikam's (server/src/store/seed/)
                for needle in ["Fabrikam", "contoso.com", "Megan Bowen", tenant] {
                    assert!(
                        data.iter().any(|d| d.contains(needle)),
                        "[{}] {needle} not among the data strings {data:?}",
                        b.name
                    );
                }
            }
            b.screenshot(&format!("lang-{PSEUDO}-{state}")).await;
            if state == "organizations" {
                // And it must see English where it is: a sentence by a data string, and a name.
                b.js(CANARIES).await;
                let found = b
                    .client
                    .execute(UNTRANSLATED, vec![json!(known)])
                    .await
                    .unwrap();
                b.js("document.querySelectorAll('.canary').forEach(e => e.remove());")
                    .await;
                let offenders = found["offenders"].to_string();
                for canary in ["Canary sentence by ", "Canary label"] {
                    assert!(
                        offenders.contains(canary),
                        "[{}] {canary:?} not found in {offenders}",
                        b.name
                    );
                }
            }
            checked.push(state.to_string());
        })
        .await;
        assert_eq!(checked.len(), 14, "[{name}] states visited: {checked:?}");
        b.quit().await;

        // Firefox's narrowest window is 500 CSS px, so 320 px reflow is Chromium's to prove.
        if name == "chromium" {
            let b = Browser::start_in(&name, Scheme::Light, 320).await;
            assert_eq!(b.viewport_width().await, 320);
            let mut known = Vec::new();
            every_state(&b, &w, async |b: &Browser, state: &str| {
                if state == "overview" {
                    known = service_data(b).await;
                }
                untranslated(b, &format!("{state} at 320px"), &known, &mut report).await;
                overflow(b, state, &mut reflow).await;
            })
            .await;
            b.quit().await;
        }
    }
    assert_clean(&report, "texts not from a catalog");
    assert_clean(&reflow, "reflow problems in the pseudo-locale");
}

/// Where the navigation pane and `<main>` are, side by side: `[nav.left, nav.right, main.left,
/// main.right]`, or null on a page without navigation (the sign-in pages).
const NAV_AND_MAIN: &str = r#"
    const nav = document.querySelector('nav'), main = document.querySelector('main');
    if (!nav || !main) return null;
    const n = nav.getBoundingClientRect(), m = main.getBoundingClientRect();
    return [n.left, n.right, m.left, m.right];
"#;

#[tokio::test]
async fn arabic_reads_right_to_left_and_passes_the_audit_in_every_state() {
    let w = Words::of("ar");
    let mut report = Vec::new();
    for name in browsers() {
        // Both schemes at desktop width, and light on a phone: the audit of every state in all
        // four combinations is accessibility.rs's job in English.
        for (scheme, width) in [
            (Scheme::Light, WINDOW_WIDTH),
            (Scheme::Dark, WINDOW_WIDTH),
            (Scheme::Light, 360),
        ] {
            let b = Browser::start_in(&name, scheme, width).await;
            let tag = format!("{}-{}", scheme.name(), b.viewport_width().await);
            let mut navs = 0;
            every_state(&b, &w, async |b: &Browser, state: &str| {
                let html = b
                    .js("return [document.documentElement.dir, document.documentElement.lang];")
                    .await;
                assert_eq!(html, json!(["rtl", "ar"]), "[{}] {state}: <html>", b.name);
                if width == WINDOW_WIDTH {
                    let boxes = b.js(NAV_AND_MAIN).await;
                    if let Some(boxes) = boxes.as_array() {
                        let at = |i: usize| boxes[i].as_f64().unwrap();
                        assert!(
                            at(0) >= at(3) - 1.0,
                            "[{}] {state}: the navigation ({}..{}) is not right of main ({}..{})",
                            b.name,
                            at(0),
                            at(1),
                            at(2),
                            at(3)
                        );
                        navs += 1;
                    }
                }
                b.screenshot(&format!("lang-ar-{state}-{tag}")).await;
                for violation in b.axe().await {
                    report.push(format!("[{}] {state}, {tag}: {violation}", b.name));
                }
            })
            .await;
            if width == WINDOW_WIDTH {
                assert_eq!(
                    navs, 12,
                    "[{name}] the navigation's side was checked in 12 states"
                );
            }
            b.quit().await;
        }
    }
    assert_clean(&report, "accessibility violations in Arabic");
}

/// A Chromium session `width` CSS px wide, when Chromium is among the browsers under test:
/// Firefox can't make a window narrower than 500 px.
async fn chromium_at(width: u32) -> Option<Browser> {
    if browsers().iter().any(|b| b == "chromium") {
        let b = Browser::start_in("chromium", Scheme::Light, width).await;
        assert_eq!(b.viewport_width().await, u64::from(width));
        Some(b)
    } else {
        None
    }
}

#[tokio::test]
async fn german_long_words_reflow_at_320_px() {
    let Some(b) = chromium_at(320).await else {
        return;
    };
    let w = Words::of("de");
    let mut report = Vec::new();
    let server = Server::start(&[]);
    b.goto(&format!("{}/organizations{}", server.url, w.query()))
        .await;
    b.wait_for(&heading(1, &w.get("organizations"))).await;
    b.wait_for(&heading(3, "Fabrikam")).await;
    overflow(&b, "organizations", &mut report).await;
    b.screenshot("lang-de-320-organizations").await;
    b.click(&leave_button(&w, "Fabrikam")).await;
    b.wait_for(&format!(
        "{OPEN_DIALOG}{}",
        heading(2, &w.named("leave_title", "Fabrikam"))
    ))
    .await;
    overflow(&b, "leave dialog", &mut report).await;
    b.screenshot("lang-de-320-leave-dialog").await;
    b.goto(&format!("{}/{}", server.url, w.query())).await;
    b.wait_for(&format!(
        "//main//p[normalize-space(.)={}]",
        myorgs_e2e::xpath_string(&w.named("home_organization_is", "Contoso"))
    ))
    .await;
    overflow(&b, "overview", &mut report).await;
    b.screenshot("lang-de-320-overview").await;
    // The check finds what sticks out.
    b.js("const d = document.createElement('div'); d.style.width = '400px'; d.textContent = 'x'; document.querySelector('main').append(d);")
        .await;
    let mut canary = Vec::new();
    overflow(&b, "overview with a 400px box", &mut canary).await;
    assert!(canary.len() >= 2, "the 400px box went unseen: {canary:?}");
    b.quit().await;
    assert_clean(&report, "reflow problems in German");
}

#[tokio::test]
async fn japanese_titles_break_between_phrases_not_inside_words() {
    async fn scenario(b: &Browser) {
        let w = Words::of("ja");
        let server = Server::start(&[]);
        b.goto(&format!("{}/organizations{}", server.url, w.query()))
            .await;
        b.wait_for(&heading(1, &w.get("organizations"))).await;
        b.click(&leave_button(&w, "Fabrikam")).await;
        b.wait_for(&format!(
            "{OPEN_DIALOG}{}",
            heading(2, &w.named("leave_title", "Fabrikam"))
        ))
        .await;
        // By phrase where the engine segments Japanese, else only at spaces and punctuation;
        // "normal" would break a word anywhere.
        let seen = b
            .js("const want = CSS.supports('word-break', 'auto-phrase') ? 'auto-phrase' : 'keep-all';
                 return [want, ...['h1', 'dialog[open] h2'].map(s => getComputedStyle(document.querySelector(s)).wordBreak)];")
            .await;
        let want = seen[0].clone();
        assert_eq!(seen, json!([want, want, want]), "[{}] word-break", b.name);
    }
    myorgs_e2e::in_each_browser!(scenario);
}

/// `<html lang dir>` and the Organizations page's title, once it reads `w`'s.
async fn wait_for_language(b: &Browser, w: &Words) {
    b.wait_for(&heading(1, &w.get("organizations"))).await;
    let dir = if w.code == "ar" { "rtl" } else { "ltr" };
    assert_eq!(
        b.js("return [document.documentElement.lang, document.documentElement.dir];")
            .await,
        json!([w.code, dir]),
        "[{}] <html lang dir>",
        b.name
    );
}

#[tokio::test]
async fn the_browsers_language_a_saved_choice_and_the_address_decide_in_that_order() {
    async fn scenario(b: &Browser) {
        let (de, ja, ar, en) = (
            Words::of("de"),
            Words::of("ja"),
            Words::of("ar"),
            Words::of("en"),
        );
        let languages = b.js("return navigator.languages;").await;
        assert_eq!(
            languages[0], "de-AT",
            "[{}] the browser's languages",
            b.name
        );
        let server = Server::start(&[]);
        let page = format!("{}/organizations", server.url);

        // Nothing saved, no `?lang`: the browser's de-AT gets the nearest language, German.
        b.goto(&page).await;
        wait_for_language(b, &de).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        // `?lang=` beats it, for that visit only.
        b.goto(&format!("{page}{}", ja.query())).await;
        wait_for_language(b, &ja).await;
        b.goto(&page).await;
        wait_for_language(b, &de).await;

        // Picked with the keyboard: the select focused, then ArrowDown to the next language
        // (each step a change; the page switches at each).
        let focused = b
            .js("const s = document.getElementById('language-picker'); s.focus(); return [document.activeElement === s, s.value];")
            .await;
        assert_eq!(focused, json!([true, "de"]), "[{}] the picker", b.name);
        b.press(Key::Down, false).await;
        wait_for_language(b, &ja).await;
        b.press(Key::Down, false).await;
        wait_for_language(b, &ar).await;
        let picked = b
            .js("return [document.activeElement.id, document.activeElement.value, localStorage.getItem('myorgs.language'), location.search];")
            .await;
        assert_eq!(
            picked,
            json!(["language-picker", "ar", "ar", ""]),
            "[{}] after picking العربية",
            b.name
        );

        // Saved: a reload stays Arabic, over the browser's German.
        b.client.refresh().await.unwrap();
        wait_for_language(b, &ar).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        // `?lang=` beats the saved choice, and doesn't replace it.
        b.goto(&format!("{page}{}", en.query())).await;
        wait_for_language(b, &en).await;
        b.goto(&page).await;
        wait_for_language(b, &ar).await;
    }
    for name in browsers() {
        let b = Browser::start_with_language(&name, "de-AT").await;
        scenario(&b).await;
        b.quit().await;
    }
}

#[tokio::test]
async fn the_address_language_survives_signing_in() {
    async fn scenario(b: &Browser) {
        let ja = Words::of("ja");
        let server = SignedInServer::start(&[]);
        // Signed out, a deep link with `?lang=`: the provider's page, and back to that address.
        b.goto(&format!("{}/organizations{}", server.url, ja.query()))
            .await;
        b.sign_in_as(MEGAN).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        let url = b.client.current_url().await.unwrap();
        assert_eq!(
            (url.path(), url.query()),
            ("/organizations", Some("lang=ja")),
            "[{}]",
            b.name
        );
        wait_for_language(b, &ja).await;
        // A reload signs in again silently, through the provider and back: still Japanese.
        b.client.refresh().await.unwrap();
        b.wait_for(&heading(3, "Fabrikam")).await;
        wait_for_language(b, &ja).await;

        // So the pseudo-locale reaches the signed-in header: the account menu, open, has every
        // word from a catalog too.
        let xa = Words::of(PSEUDO);
        b.goto(&format!("{}/{}", server.url, xa.query())).await;
        b.wait_for(&heading(1, &xa.get("overview"))).await;
        b.click("//button[@aria-controls='account-panel']").await;
        b.wait_for(&format!(
            "//div[@id='account-panel' and not(@hidden)]{}",
            button(&xa.get("sign_out"))
        ))
        .await;
        let known = ["Megan Bowen".to_string(), MEGAN.0.to_string()];
        let mut report = Vec::new();
        untranslated(b, "account-menu", &known, &mut report).await;
        b.screenshot(&format!("lang-{PSEUDO}-account-menu")).await;
        assert_clean(&report, "texts not from a catalog");
    }
    for name in browsers() {
        let b = Browser::start(&name).await;
        scenario(&b).await;
        b.quit().await;
    }
}

#[tokio::test]
async fn screenshots_of_every_language() {
    for name in browsers() {
        let b = Browser::start(&name).await;
        let server = Server::start(&[]);
        for code in ["en", "de", "ja", "ar", PSEUDO] {
            let w = Words::of(code);
            b.goto(&format!("{}/organizations{}", server.url, w.query()))
                .await;
            b.wait_for(&heading(1, &w.get("organizations"))).await;
            b.wait_for(&heading(3, "Fabrikam")).await;
            b.screenshot(&format!("lang-{code}-organizations")).await;
            b.click(&leave_button(&w, "Fabrikam")).await;
            b.wait_for(&format!(
                "{OPEN_DIALOG}{}",
                heading(2, &w.named("leave_title", "Fabrikam"))
            ))
            .await;
            // Once the dialog has faded in.
            b.js("return Promise.all(document.getAnimations().map(a => a.finished)).then(() => true);")
                .await;
            b.screenshot(&format!("lang-{code}-leave-dialog")).await;
            b.click(&format!("{OPEN_DIALOG}{}", button(&w.get("cancel"))))
                .await;
            b.wait_gone(OPEN_DIALOG).await;
        }
        b.quit().await;
    }
}

#[tokio::test]
async fn switching_language_needs_no_reload_and_keeps_focus() {
    async fn scenario(b: &Browser) {
        let (en, de) = (Words::of("en"), Words::of("de"));
        let server = Server::start(&[]);
        b.goto(&format!("{}/organizations", server.url)).await;
        wait_for_language(b, &en).await;
        b.wait_for(&heading(3, "Fabrikam")).await;
        let url = b.client.current_url().await.unwrap();
        b.js("window.__marker = 1; document.getElementById('language-picker').focus();")
            .await;
        b.press(Key::Down, false).await;

        wait_for_language(b, &de).await;
        b.wait_for(&heading(2, &de.get("others_heading"))).await;
        b.wait_for(&leave_button(&de, "Fabrikam")).await;
        let after = b
            .js("return [window.__marker, document.activeElement.id, document.activeElement.value, document.title];")
            .await;
        let title = de
            .get("page_title")
            .replace("{page}", &de.get("organizations"));
        assert_eq!(
            after,
            json!([1, "language-picker", "de", title]),
            "[{}] no reload, focus kept, the tab's title in German",
            b.name
        );
        assert_eq!(b.client.current_url().await.unwrap(), url, "[{}]", b.name);
    }
    for name in browsers() {
        let b = Browser::start(&name).await;
        scenario(&b).await;
        b.quit().await;
    }
}
