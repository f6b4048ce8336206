// HTML for the local OpenID provider's own pages (sign-in, sign-out, errors).
//
// Every value that comes from a request or from configuration goes through
// `escapeHtml`. Pages carry their CSS inline and at most one small inline
// script; `pageHeaders` returns a Content-Security-Policy that allows exactly
// that script (by hash) and nothing else.

import { createHash } from 'node:crypto';

export function escapeHtml(value) {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

// System fonts, dark text on white (contrast > 12:1), or light text on dark grey when the
// browser prefers a dark scheme (as the app does), a 3px focus ring, no fixed widths (works from
// 320 CSS px up), 16px inputs (no zoom on iOS).
const STYLE = `
*,*::before,*::after{box-sizing:border-box}
:root{color-scheme:light dark}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:100%;line-height:1.5;color:#1b1b1b;background:#f3f3f3}
body{margin:0;padding:1rem}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #c8c8c8;border-radius:.5rem}
h1{font-size:1.75rem;line-height:1.2;margin:0 0 .5rem}
p{margin:0 0 1rem}
.lede{color:#3b3b3b}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{display:block;width:100%;font:inherit;font-size:1rem;padding:.625rem .75rem;color:#1b1b1b;background:#fff;border:1px solid #6b6b6b;border-radius:.25rem}
input[aria-invalid="true"]{border:2px solid #a4000f}
button{display:inline-block;min-height:2.75rem;margin-top:1.5rem;padding:.625rem 1.25rem;font:inherit;font-weight:600;color:#fff;background:#0f5ea8;border:2px solid #0f5ea8;border-radius:.25rem;cursor:pointer}
button:hover{background:#0b4a85;border-color:#0b4a85}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
.error{color:#a4000f;font-weight:600;margin:1rem 0 0}
dl{margin:0 0 1rem}
dt{font-weight:600}
dd{margin:0 0 .5rem;overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){html{color:#fff;background:#1f1f1f}main{background:#292929;border-color:#3d3d3d}.lede{color:#d6d6d6}input{color:#fff;background:#1f1f1f;border-color:#9e9e9e}button{color:#0a0a0a;background:#479ef5;border-color:#479ef5}button:hover{background:#62abf5;border-color:#62abf5}input:focus-visible,button:focus-visible,a:focus-visible{outline-color:#fff}a{color:#62abf5}.error{color:#ff99a4}input[aria-invalid="true"]{border-color:#ff99a4}}
@media (forced-colors:active){button{border:2px solid ButtonText}}
`;

function sha256(text) {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

// Headers for every page we render. `script` is the exact inline script text
// (or undefined when the page has none).
export function pageHeaders(script) {
  const scriptSrc = script === undefined ? "'none'" : sha256(script);
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${sha256(STYLE)}`,
      `script-src ${scriptSrc}`,
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
}

function layout({ title, body, script }) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
${script === undefined ? '' : `<script>${script}</script>\n`}</body>
</html>
`;
}

// Static text (not escaped, so the apostrophe stays literal in the markup).
export const LOGIN_ERROR_TEXT = "That email or password isn't right.";

// The sign-in form. `action` is the POST target, `login` the email to keep
// in the field, `failed` whether the last attempt was wrong.
export function loginPage({ action, login = '', failed = false }) {
  const invalid = failed ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  const focusPassword = failed || login !== '';
  const body = `<h1>Sign in</h1>
<p class="lede">Demo identity provider for myorgs</p>
<form method="post" action="${escapeHtml(action)}" novalidate>
${failed ? `<p id="login-error" class="error" role="alert">${LOGIN_ERROR_TEXT}</p>\n` : ''}<label for="login">Email</label>
<input id="login" name="login" type="email" autocomplete="username" spellcheck="false" autocapitalize="none" required value="${escapeHtml(login)}"${invalid}${focusPassword ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${focusPassword ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`;
  return { html: layout({ title: 'Sign in – myorgs demo', body }), headers: pageHeaders() };
}

// RP-initiated logout confirmation. `form` is oidc-provider's form markup
// (id="op.logoutForm", carries the xsrf token). The page submits itself with
// logout=yes (ends the whole provider session); the visible button does the
// same when scripts don't run.
export const LOGOUT_SCRIPT = "document.getElementById('sign-out').click();";

export function logoutPage(form) {
  const body = `<h1>Sign out</h1>
<p class="lede">Signing you out of the myorgs demo…</p>
${form}
<button id="sign-out" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`;
  return {
    html: layout({ title: 'Sign out – myorgs demo', body, script: LOGOUT_SCRIPT }),
    headers: pageHeaders(LOGOUT_SCRIPT),
  };
}

// Shown only when a logout request had no (valid) post_logout_redirect_uri.
export function signedOutPage() {
  const body = `<h1>You're signed out</h1>
<p class="lede">You have been signed out of the myorgs demo identity provider. You can close this page.</p>`;
  return { html: layout({ title: 'Signed out – myorgs demo', body }), headers: pageHeaders() };
}

// Errors that can't be sent back to the app (unknown client, bad
// redirect_uri, expired sign-in, ...). `out` is { error, error_description }.
export function errorPage(out = {}) {
  const rows = Object.entries(out)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('\n');
  const body = `<h1>Something went wrong</h1>
<p class="lede">The demo identity provider couldn't complete this request. Go back to the app and try again.</p>
${rows ? `<dl>\n${rows}\n</dl>` : ''}`;
  return { html: layout({ title: 'Error – myorgs demo', body }), headers: pageHeaders() };
}
