// End-to-end tests of scripts/oidc/provider.mjs: starts the real script and
// drives the authorization code + PKCE flow with fetch and a tiny cookie jar.
// Run: node --test scripts/oidc/

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';

import { Jar, request } from './http.mjs';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'provider.mjs');
const APP = 'http://127.0.0.1:9';
const CALLBACK = `${APP}/signin-callback`;
const SIGNED_OUT = `${APP}/signed-out`;
const AUDIENCE = 'api://myorgs';
const SCOPE = 'openid profile offline_access myorgs.read myorgs.leave';

const MEGAN = { id: '48d31887-5fad-4d73-a9f5-3c356e68a038', email: 'MeganB@contoso.com', password: 'Megan-demo-1', name: 'Megan Bowen' };
const ALEX = { id: '9e5b2f6a-3c1d-4e8f-a7b6-0d1c2e3f4a5b', email: 'AlexW@fabrikam.com', password: 'Alex-demo-1', name: 'Alex Wilber' };
const ADELE = { id: 'c4a7d2e9-8b3f-4c1a-9e6d-5f0a1b2c3d4e', email: 'AdeleV@contoso.com', password: 'Adele-demo-1', name: 'Adele Vance' };

// ---------------------------------------------------------------------------
// Process helpers.

function startProvider(keysFile, extraArgs = []) {
  const child = spawn(process.execPath, [
    SCRIPT, '--port', '0', '--app-origin', APP, '--keys', keysFile, '--audience', AUDIENCE, ...extraArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const issuer = new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`no issuer line within 15s; stderr:\n${stderr}`)), 15000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline !== -1) {
        clearTimeout(timer);
        const first = stdout.slice(0, newline);
        const match = /^issuer (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
        if (match) resolve(match[1]);
        else reject(new Error(`unexpected first stdout line: ${JSON.stringify(first)}`));
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`provider exited (${code}) before printing the issuer; stderr:\n${stderr}`));
    });
  });
  return { child, issuer, exited, stderr: () => stderr };
}

async function stopProvider(proc) {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  return proc.exited;
}

// ---------------------------------------------------------------------------
// Manual redirects (the cookie jar and requests: ./http.mjs).

// Follows redirects until a non-redirect response or a URL on the app origin.
async function navigate(url, { jar, method, form } = {}) {
  let res = await request(url, { jar, method, form });
  for (let hops = 0; hops < 10; hops += 1) {
    if (![301, 302, 303, 307, 308].includes(res.status)) return { res, url };
    await res.arrayBuffer();
    const next = new URL(res.headers.get('location'), url).href;
    if (next.startsWith(`${APP}/`)) return { res, url: next, appRedirect: new URL(next) };
    url = next;
    res = await request(url, { jar });
  }
  throw new Error('too many redirects');
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(config, { challenge, state, nonce, prompt, resource = AUDIENCE, scope = SCOPE, loginHint }) {
  const url = new URL(config.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: 'myorgs',
    response_type: 'code',
    redirect_uri: CALLBACK,
    scope,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(resource ? { resource } : {}),
    ...(prompt ? { prompt } : {}),
    ...(loginHint ? { login_hint: loginHint } : {}),
  }).toString();
  return url.href;
}

function formAction(html, base) {
  const match = /<form method="post" action="([^"]+)"/.exec(html);
  assert.ok(match, 'page has a POST form');
  return new URL(match[1].replace(/&amp;/g, '&'), base).href;
}

// Starts an authorization request and returns the sign-in page.
async function openLogin(config, jar, extra = {}) {
  const p = pkce();
  const state = randomBytes(8).toString('hex');
  const nonce = randomBytes(8).toString('hex');
  const { res, url } = await navigate(authorizeUrl(config, { ...p, state, nonce, ...extra }), { jar });
  assert.equal(res.status, 200);
  const html = await res.text();
  return { ...p, state, nonce, html, action: formAction(html, url) };
}

// Full sign-in; returns the code and the request's PKCE/state/nonce.
async function signIn(config, jar, account, extra = {}) {
  const login = await openLogin(config, jar, extra);
  const { appRedirect } = await navigate(login.action, {
    jar, method: 'POST', form: { login: account.email, password: account.password },
  });
  assert.ok(appRedirect, 'sign-in ends at the app');
  assert.equal(`${appRedirect.origin}${appRedirect.pathname}`, CALLBACK);
  assert.equal(appRedirect.searchParams.get('state'), login.state);
  assert.equal(appRedirect.searchParams.get('error'), null, appRedirect.searchParams.get('error_description'));
  return { ...login, code: appRedirect.searchParams.get('code'), callback: appRedirect };
}

async function token(config, form, headers = { origin: APP }) {
  const res = await request(config.token_endpoint, { method: 'POST', form: { client_id: 'myorgs', ...form }, headers });
  return { res, body: await res.json() };
}

function exchange(config, code, verifier, extra = {}) {
  return token(config, {
    grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: CALLBACK, ...extra,
  });
}

// ---------------------------------------------------------------------------

describe('local OpenID provider', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'myorgs-oidc-test-'));
  const keysFile = path.join(tmp, 'nested', 'dir', 'oidc-keys.json');
  let proc;
  let issuer;
  let config;
  let jwks;
  const megan = new Jar();
  let first; // Megan's first token response

  before(async () => {
    proc = startProvider(keysFile);
    issuer = await proc.issuer;
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    config = await res.json();
    jwks = createRemoteJWKSet(new URL(config.jwks_uri));
  });

  after(async () => {
    if (proc) await stopProvider(proc);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('publishes discovery metadata', () => {
    assert.match(issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(config.issuer, issuer);
    assert.equal(config.authorization_endpoint, `${issuer}/auth`);
    assert.equal(config.token_endpoint, `${issuer}/token`);
    assert.equal(config.jwks_uri, `${issuer}/jwks`);
    assert.equal(config.end_session_endpoint, `${issuer}/session/end`);
    assert.ok(config.code_challenge_methods_supported.includes('S256'));
    assert.deepEqual(config.response_types_supported, ['code']);
    for (const scope of ['openid', 'profile', 'offline_access']) assert.ok(config.scopes_supported.includes(scope), scope);
  });

  it('creates the keys file (0600) with a kid', async () => {
    const stat = fs.statSync(keysFile);
    assert.equal(stat.mode & 0o777, 0o600);
    const saved = JSON.parse(fs.readFileSync(keysFile, 'utf8'));
    const [key] = saved.jwks.keys;
    assert.equal(key.kty, 'RSA');
    assert.ok(key.kid && key.d);
    const published = await (await fetch(config.jwks_uri)).json();
    assert.equal(published.keys.length, 1);
    assert.equal(published.keys[0].kid, key.kid);
    assert.equal(published.keys[0].d, undefined, 'no private parts published');
  });

  it('shows an accessible sign-in page', async () => {
    const { html } = await openLogin(config, new Jar());
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<title>Sign in – myorgs demo<\/title>/);
    assert.match(html, /<main>[\s\S]*<h1>Sign in<\/h1>[\s\S]*<\/main>/);
    assert.match(html, /Demo identity provider for myorgs/);
    assert.match(html, /<label for="login">Email<\/label>/);
    assert.match(html, /<input id="login" name="login" type="email" autocomplete="username"/);
    assert.match(html, /<label for="password">Password<\/label>/);
    assert.match(html, /<input id="password" name="password" type="password" autocomplete="current-password"/);
    assert.match(html, /<button type="submit">Sign in<\/button>/);
    assert.doesNotMatch(html, /role="alert"/);
  });

  it('rejects a wrong password, keeping the email and flagging the fields', async () => {
    const jar = new Jar();
    const login = await openLogin(config, jar);
    const res = await request(login.action, { jar, method: 'POST', form: { login: MEGAN.email, password: 'wrong' } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<p id="login-error" class="error" role="alert">That email or password isn't right\.<\/p>/);
    assert.match(html, new RegExp(`id="login"[^>]*value="${MEGAN.email}"[^>]*aria-invalid="true" aria-describedby="login-error"`));
    assert.match(html, /id="password"[^>]*aria-invalid="true" aria-describedby="login-error"/);
    // an unknown email gets the same message
    const again = await request(formAction(html, login.action), { jar, method: 'POST', form: { login: 'nobody@example.com', password: 'x' } });
    assert.match(await again.text(), /That email or password isn't right\./);
  });

  it('escapes what it echoes into HTML', async () => {
    const jar = new Jar();
    const login = await openLogin(config, jar);
    const res = await request(login.action, { jar, method: 'POST', form: { login: '"><script>alert(1)</script>', password: 'x' } });
    const html = await res.text();
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  });

  it('signs Megan in and redirects to the app with code and state (no consent screen)', async () => {
    const result = await signIn(config, megan, MEGAN);
    assert.ok(result.code);
    assert.equal(result.callback.searchParams.get('iss'), issuer);
    first = result;
  });

  it('exchanges the code cross-origin for a JWT access token for the API', async () => {
    const { res, body } = await exchange(config, first.code, first.verifier, { resource: AUDIENCE });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    assert.deepEqual(body.scope.split(' ').sort(), ['myorgs.leave', 'myorgs.read']);

    const header = decodeProtectedHeader(body.access_token);
    assert.equal(header.alg, 'RS256');
    assert.ok(header.kid);
    assert.equal(header.typ, 'at+jwt');
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer, audience: AUDIENCE, algorithms: ['RS256'] });
    assert.equal(payload.iss, issuer);
    assert.equal(payload.aud, AUDIENCE);
    assert.equal(payload.sub, MEGAN.id);
    assert.equal(payload.client_id, 'myorgs');
    assert.deepEqual(payload.scope.split(' ').sort(), ['myorgs.leave', 'myorgs.read']);
    assert.equal(payload.exp - payload.iat, 600);

    const id = (await jwtVerify(body.id_token, jwks, { issuer, audience: 'myorgs' })).payload;
    assert.equal(id.nonce, first.nonce);
    assert.equal(id.aud, 'myorgs');
    assert.equal(id.sub, MEGAN.id);
    assert.equal(id.name, MEGAN.name);
    assert.equal(id.preferred_username, MEGAN.email);

    assert.ok(body.refresh_token);
    first.tokens = body;
  });

  it('re-authenticates silently with prompt=none while the session is alive', async () => {
    const p = pkce();
    const { res, appRedirect } = await navigate(authorizeUrl(config, { ...p, state: 's1', nonce: 'n1', prompt: 'none' }), { jar: megan });
    assert.ok(appRedirect, `expected a redirect to the app, got ${res.status}`);
    assert.equal(appRedirect.searchParams.get('state'), 's1');
    const code = appRedirect.searchParams.get('code');
    assert.ok(code, appRedirect.href);

    // without `resource` at either endpoint: still an API token
    const { res: tres, body } = await exchange(config, code, p.verifier);
    assert.equal(tres.status, 200, JSON.stringify(body));
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer, audience: AUDIENCE });
    assert.equal(payload.sub, MEGAN.id);
    assert.deepEqual(payload.scope.split(' ').sort(), ['myorgs.leave', 'myorgs.read']);
    assert.equal(decodeJwt(body.id_token).nonce, 'n1');
    assert.ok(body.refresh_token, 'refresh token also after prompt=none');
    const refreshed = await token(config, { grant_type: 'refresh_token', refresh_token: body.refresh_token });
    assert.equal(refreshed.res.status, 200, JSON.stringify(refreshed.body));
  });

  it('authorizes without a resource parameter (API is the default resource)', async () => {
    const p = pkce();
    const { appRedirect } = await navigate(authorizeUrl(config, { ...p, state: 's2', nonce: 'n2', resource: null }), { jar: megan });
    const code = appRedirect.searchParams.get('code');
    assert.ok(code, appRedirect.href);
    const { body } = await exchange(config, code, p.verifier);
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer, audience: AUDIENCE });
    assert.deepEqual(payload.scope.split(' ').sort(), ['myorgs.leave', 'myorgs.read']);
  });

  it('rotates refresh tokens and refuses a used one', async () => {
    // own session: reuse detection revokes the grant
    const jar = new Jar();
    const { code, verifier } = await signIn(config, jar, MEGAN);
    const { body: initial } = await exchange(config, code, verifier);
    assert.ok(initial.refresh_token);

    const { res, body } = await token(config, { grant_type: 'refresh_token', refresh_token: initial.refresh_token });
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(res.headers.get('access-control-allow-origin'), APP);
    assert.ok(body.refresh_token);
    assert.notEqual(body.refresh_token, initial.refresh_token);
    assert.notEqual(body.access_token, initial.access_token);
    const { payload } = await jwtVerify(body.access_token, jwks, { issuer, audience: AUDIENCE });
    assert.equal(payload.sub, MEGAN.id);
    assert.deepEqual(payload.scope.split(' ').sort(), ['myorgs.leave', 'myorgs.read']);
    assert.equal(decodeJwt(body.id_token).name, MEGAN.name);

    // with an explicit resource parameter, the next rotation works too
    const next = await token(config, { grant_type: 'refresh_token', refresh_token: body.refresh_token, resource: AUDIENCE });
    assert.equal(next.res.status, 200, JSON.stringify(next.body));
    assert.equal(decodeJwt(next.body.access_token).aud, AUDIENCE);
    assert.notEqual(next.body.refresh_token, body.refresh_token);

    const reused = await token(config, { grant_type: 'refresh_token', refresh_token: initial.refresh_token });
    assert.equal(reused.res.status, 400);
    assert.equal(reused.body.error, 'invalid_grant');
    // reuse detection revokes the whole chain (oidc-provider behaviour)
    const chain = await token(config, { grant_type: 'refresh_token', refresh_token: next.body.refresh_token });
    assert.equal(chain.body.error, 'invalid_grant');
  });

  it('refuses a second use of the authorization code (and revokes what it issued)', async () => {
    const jar = new Jar();
    const { code, verifier } = await signIn(config, jar, MEGAN);
    const { body: tokens } = await exchange(config, code, verifier);
    const { res, body } = await exchange(config, code, verifier);
    assert.equal(res.status, 400);
    assert.equal(body.error, 'invalid_grant');
    const refresh = await token(config, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refresh.body.error, 'invalid_grant');

    // The session survives but its grant is gone: prompt=none says
    // consent_required; an interactive request gets a code without any page.
    const p = pkce();
    const silent = await navigate(authorizeUrl(config, { ...p, state: 'r1', nonce: 'r1', prompt: 'none' }), { jar });
    assert.equal(silent.appRedirect.searchParams.get('error'), 'consent_required');
    const interactive = await navigate(authorizeUrl(config, { ...p, state: 'r2', nonce: 'r2' }), { jar });
    assert.ok(interactive.appRedirect?.searchParams.get('code'), interactive.url);
    const again = await exchange(config, interactive.appRedirect.searchParams.get('code'), p.verifier);
    assert.equal(again.res.status, 200);
    assert.ok(again.body.refresh_token);
  });

  it('handles prompt=consent and prompt=login without a consent screen', async () => {
    const p = pkce();
    const consent = await navigate(authorizeUrl(config, { ...p, state: 'c1', nonce: 'c1', prompt: 'consent' }), { jar: megan });
    assert.ok(consent.appRedirect?.searchParams.get('code'), consent.url);
    const { body } = await exchange(config, consent.appRedirect.searchParams.get('code'), p.verifier);
    assert.ok(body.refresh_token);
    // the token response's `scope` is the access token's (API) scope
    assert.deepEqual(body.scope.split(' ').sort(), ['myorgs.leave', 'myorgs.read']);

    const login = await navigate(authorizeUrl(config, { ...p, state: 'c2', nonce: 'c2', prompt: 'login' }), { jar: megan });
    assert.equal(login.res.status, 200);
    assert.match(await login.res.text(), /<h1>Sign in<\/h1>/);
  });

  it('answers prompt=none without a session with login_required', async () => {
    const p = pkce();
    const { appRedirect } = await navigate(authorizeUrl(config, { ...p, state: 's3', nonce: 'n3', prompt: 'none' }), { jar: new Jar() });
    assert.ok(appRedirect);
    assert.equal(`${appRedirect.origin}${appRedirect.pathname}`, CALLBACK);
    assert.equal(appRedirect.searchParams.get('error'), 'login_required');
    assert.equal(appRedirect.searchParams.get('state'), 's3');
  });

  it('refuses a wrong code_verifier', async () => {
    const p = pkce();
    const { appRedirect } = await navigate(authorizeUrl(config, { ...p, state: 's4', nonce: 'n4', prompt: 'none' }), { jar: megan });
    const code = appRedirect.searchParams.get('code');
    const { res, body } = await exchange(config, code, pkce().verifier);
    assert.equal(res.status, 400);
    assert.equal(body.error, 'invalid_grant');
  });

  it('requires PKCE', async () => {
    const url = new URL(authorizeUrl(config, { challenge: 'x', state: 's5', nonce: 'n5' }));
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');
    const { appRedirect } = await navigate(url.href, { jar: megan });
    assert.equal(appRedirect.searchParams.get('error'), 'invalid_request');
  });

  it('refuses unknown resource indicators', async () => {
    const { appRedirect } = await navigate(authorizeUrl(config, { ...pkce(), state: 't1', nonce: 't1', resource: 'api://other' }), { jar: megan });
    assert.equal(appRedirect.searchParams.get('error'), 'invalid_target');
    assert.equal(appRedirect.searchParams.get('state'), 't1');
  });

  it('allows CORS only for the app origin', async () => {
    const preflight = await fetch(config.token_endpoint, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), APP);

    const p = pkce();
    const { appRedirect } = await navigate(authorizeUrl(config, { ...p, state: 's6', nonce: 'n6', prompt: 'none' }), { jar: megan });
    const { res, body } = await token(config, {
      grant_type: 'authorization_code', code: appRedirect.searchParams.get('code'), code_verifier: p.verifier, redirect_uri: CALLBACK,
    }, { origin: 'http://evil.example' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.equal(body.error, 'invalid_request');
  });

  it('shows the error page for bad requests and keeps running', async () => {
    const url = new URL(config.authorization_endpoint);
    url.search = new URLSearchParams({ client_id: 'myorgs', response_type: 'code', redirect_uri: 'http://evil.example/cb', scope: 'openid' });
    const res = await fetch(url);
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /redirect_uri did not match any of the client&#39;s registered redirect_uris|invalid_redirect_uri/);

    const unknown = await fetch(`${config.authorization_endpoint}?client_id=nope&response_type=code&scope=openid`);
    assert.equal(unknown.status, 400);
    const expired = await fetch(`${issuer}/interaction/abc123`);
    assert.equal(expired.status, 400);
    const badPost = await fetch(`${issuer}/interaction/abc123/login`, { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } });
    assert.ok(badPost.status >= 400 && badPost.status < 500);
    assert.equal((await fetch(config.jwks_uri)).status, 200);
  });

  it('signs out (RP-initiated logout) and redirects to /signed-out', async () => {
    const p = pkce();
    const { appRedirect } = await navigate(authorizeUrl(config, { ...p, state: 's7', nonce: 'n7', prompt: 'none' }), { jar: megan });
    const { body: tokens } = await exchange(config, appRedirect.searchParams.get('code'), p.verifier);

    const url = new URL(config.end_session_endpoint);
    url.search = new URLSearchParams({
      id_token_hint: tokens.id_token, post_logout_redirect_uri: SIGNED_OUT, client_id: 'myorgs', state: 'bye',
    });
    const page = await request(url.href, { jar: megan });
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<title>Sign out – myorgs demo<\/title>/);
    assert.match(html, /<h1>Sign out<\/h1>/);
    assert.match(html, /<button id="sign-out" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out<\/button>/);
    assert.match(html, /<script>document\.getElementById\('sign-out'\)\.click\(\);<\/script>/);
    assert.match(page.headers.get('content-security-policy'), /script-src 'sha256-/);

    // what the inline script does: submit the form with logout=yes
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)[1];
    const done = await request(new URL(action, url).href, { jar: megan, method: 'POST', form: { xsrf, logout: 'yes' } });
    assert.equal(done.status, 303);
    const back = new URL(done.headers.get('location'));
    assert.equal(`${back.origin}${back.pathname}`, SIGNED_OUT);
    assert.equal(back.searchParams.get('state'), 'bye');

    // session gone: silent re-authentication now needs a login
    const again = pkce();
    const silent = await navigate(authorizeUrl(config, { ...again, state: 's8', nonce: 'n8', prompt: 'none' }), { jar: megan });
    assert.equal(silent.appRedirect.searchParams.get('error'), 'login_required');
    // and the grant's refresh token was revoked
    const refresh = await token(config, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refresh.body.error, 'invalid_grant');
  });

  for (const account of [ALEX, ADELE]) {
    it(`signs ${account.name} in`, async () => {
      const jar = new Jar();
      const { code, verifier, nonce } = await signIn(config, jar, account);
      const { body } = await exchange(config, code, verifier);
      const { payload } = await jwtVerify(body.access_token, jwks, { issuer, audience: AUDIENCE });
      assert.equal(payload.sub, account.id);
      const id = decodeJwt(body.id_token);
      assert.equal(id.sub, account.id);
      assert.equal(id.name, account.name);
      assert.equal(id.nonce, nonce);
    });
  }

  it('matches emails case-insensitively', async () => {
    const { code, verifier } = await signIn(config, new Jar(), { ...ADELE, email: ' adelev@CONTOSO.com ' });
    const { body } = await exchange(config, code, verifier);
    assert.equal(decodeJwt(body.access_token).sub, ADELE.id);
  });

  it('reuses the keys file on restart and exits promptly on SIGTERM', async () => {
    const kid = JSON.parse(fs.readFileSync(keysFile, 'utf8')).jwks.keys[0].kid;
    const second = startProvider(keysFile, ['--access-token-ttl', '120']);
    try {
      const secondIssuer = await second.issuer;
      assert.notEqual(secondIssuer, issuer);
      const published = await (await fetch(`${secondIssuer}/jwks`)).json();
      assert.equal(published.keys[0].kid, kid);
      // a token from the second provider verifies against the same key
      const { code, verifier } = await signIn(await (await fetch(`${secondIssuer}/.well-known/openid-configuration`)).json(), new Jar(), MEGAN);
      const { body } = await token({ token_endpoint: `${secondIssuer}/token` }, {
        grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: CALLBACK,
      });
      assert.equal(decodeProtectedHeader(body.access_token).kid, kid);
      assert.equal(body.expires_in, 120);
    } finally {
      const started = Date.now();
      const { exited } = second;
      second.child.kill('SIGTERM');
      const { code, signal } = await exited;
      assert.equal(signal, null);
      assert.equal(code, 0);
      assert.ok(Date.now() - started < 2000, `exit took ${Date.now() - started} ms`);
    }
    assert.doesNotMatch(second.stderr(), /uncaught|unhandled|server_error/i);
  });

  it('accepts several app origins and rejects bad arguments', async () => {
    const other = 'http://localhost:8080';
    const multi = startProvider(keysFile, ['--app-origin', other]);
    try {
      const base = await multi.issuer;
      const cfg = await (await fetch(`${base}/.well-known/openid-configuration`)).json();
      const url = new URL(authorizeUrl(cfg, { ...pkce(), state: 'm1', nonce: 'm1' }));
      url.searchParams.set('redirect_uri', `${other}/signin-callback`);
      const res = await request(url.href);
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location'), /^\/interaction\//);
    } finally {
      await stopProvider(multi);
    }
    for (const bad of [['--app-origin', 'http://127.0.0.1:8080/app'], ['--port', 'x'], ['--nope']]) {
      const child = spawn(process.execPath, [SCRIPT, '--keys', keysFile, '--app-origin', APP, ...bad], { stdio: 'ignore' });
      const code = await new Promise((resolve) => { child.once('exit', resolve); });
      assert.equal(code, 2, bad.join(' '));
    }
  });

  it('logged no server errors', () => {
    assert.doesNotMatch(proc.stderr(), /uncaught|unhandled|server_error|interaction error/i);
  });

  it('exits with 0 on SIGTERM', async () => {
    const started = Date.now();
    const { code, signal } = await stopProvider(proc);
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 2000);
    proc = undefined;
  });
});
