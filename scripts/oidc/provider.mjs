#!/usr/bin/env node
// Local OpenID Connect provider for `make run` and the end-to-end tests.
//
//   node scripts/oidc/provider.mjs --port 0 \
//     --app-origin http://127.0.0.1:8080 [--app-origin http://localhost:8080 ...] \
//     --keys data/oidc-keys.json --audience api://myorgs [--access-token-ttl 600]
//
// Binds 127.0.0.1:<port> (0 = any free port). The first line on stdout is
// exactly `issuer http://127.0.0.1:<port>`; everything else goes to stderr.
// Built on oidc-provider 9.x (see scripts/oidc/provider.test.mjs for the
// behaviour the app and the API rely on). Demo only: accounts and passwords
// below are public demo secrets, state is in memory.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { errorPage, loginPage, logoutPage, signedOutPage } from './pages.mjs';

// ---------------------------------------------------------------------------
// Demo accounts (the README lists these). Emails match case-insensitively.
const ACCOUNTS = [
  { id: '48d31887-5fad-4d73-a9f5-3c356e68a038', name: 'Megan Bowen', email: 'MeganB@contoso.com', password: 'Megan-demo-1' },
  { id: '9e5b2f6a-3c1d-4e8f-a7b6-0d1c2e3f4a5b', name: 'Alex Wilber', email: 'AlexW@fabrikam.com', password: 'Alex-demo-1' },
  { id: 'c4a7d2e9-8b3f-4c1a-9e6d-5f0a1b2c3d4e', name: 'Adele Vance', email: 'AdeleV@contoso.com', password: 'Adele-demo-1' },
];

const CLIENT_ID = 'myorgs';
const API_SCOPES = 'myorgs.read myorgs.leave';
const SESSION_TTL = 24 * 60 * 60; // 1 day
const REFRESH_TOKEN_TTL = 24 * 60 * 60; // absolute lifetime of a rotation chain
const GRANT_TTL = 14 * 24 * 60 * 60;
const ID_TOKEN_TTL = 60 * 60;
const INTERACTION_TTL = 60 * 60;
const AUTHORIZATION_CODE_TTL = 60;
const FORM_BODY_LIMIT = 16 * 1024;

// ---------------------------------------------------------------------------
// stdout carries only the `issuer` line. oidc-provider prints its notices with
// console.info (stdout), so route all console output to stderr before it loads.
for (const method of ['log', 'info', 'debug']) {
  console[method] = (...args) => console.error(...args);
}

function log(...args) {
  console.error('[oidc]', ...args);
}

function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------
// Command line.
let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'app-origin': { type: 'string', multiple: true },
      keys: { type: 'string' },
      audience: { type: 'string', default: 'api://myorgs' },
      'access-token-ttl': { type: 'string', default: '600' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  fail(err.message);
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${args.port}`);

const accessTokenTtl = Number(args['access-token-ttl']);
if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 1) fail(`--access-token-ttl must be a positive integer, got ${args['access-token-ttl']}`);

if (!args.keys) fail('--keys PATH is required');
if (!args['app-origin']?.length) fail('at least one --app-origin is required');

const appOrigins = [...new Set(args['app-origin'].map((value) => {
  let url;
  try {
    url = new URL(value);
  } catch {
    fail(`--app-origin is not a URL: ${value}`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password
    || url.pathname !== '/' || url.search || url.hash || value.replace(/\/$/, '') !== url.origin) {
    fail(`--app-origin must be a bare origin like http://127.0.0.1:8080, got ${value}`);
  }
  return url.origin;
}))];

const audience = args.audience;
if (!URL.canParse(audience) || audience.includes('#')) fail(`--audience must be an absolute URI without a fragment, got ${audience}`);

// ---------------------------------------------------------------------------
// Keys: an RS256 signing key (private JWK set) and cookie-signing keys, made on
// first start and reused afterwards.
const { exportJWK, generateKeyPair } = await import('jose');

function validKeys(data) {
  const key = data?.jwks?.keys?.[0];
  return key?.kty === 'RSA' && typeof key.kid === 'string' && typeof key.d === 'string'
    && Array.isArray(data.cookieKeys) && data.cookieKeys.length > 0
    && data.cookieKeys.every((k) => typeof k === 'string' && k.length >= 32);
}

async function loadOrCreateKeys(file) {
  if (fs.existsSync(file)) {
    let data;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      fail(`cannot read keys file ${file}: ${err.message}`);
    }
    if (!validKeys(data)) fail(`keys file ${file} is not in the expected format; delete it to regenerate`);
    return data;
  }

  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const thumbprint = createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n })).digest('base64url');
  const data = {
    jwks: { keys: [{ ...jwk, kid: `myorgs-${thumbprint.slice(0, 16)}`, alg: 'RS256', use: 'sig' }] },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };

  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Write to a temp file, then link it into place: atomic, and if another
  // process created the file meanwhile we use theirs instead of clobbering it.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    fs.unlinkSync(tmp);
    return loadOrCreateKeys(file);
  }
  fs.unlinkSync(tmp);
  log(`generated signing and cookie keys in ${file}`);
  return data;
}

const keys = await loadOrCreateKeys(path.resolve(args.keys));

// ---------------------------------------------------------------------------
// Accounts.
function findAccountById(id) {
  return ACCOUNTS.find((account) => account.id === id);
}

function findAccountByEmail(email) {
  const wanted = String(email ?? '').trim().toLowerCase();
  return ACCOUNTS.find((account) => account.email.toLowerCase() === wanted);
}

function passwordMatches(account, password) {
  const digest = (value) => createHash('sha256').update(String(value ?? '')).digest();
  return timingSafeEqual(digest(account.password), digest(password));
}

// ---------------------------------------------------------------------------
// Provider configuration. Created after the socket is bound, because the
// issuer contains the actual port.
const { default: Provider, errors: oidcErrors } = await import('oidc-provider');

function configuration() {
  const resourceServer = {
    scope: API_SCOPES,
    audience,
    accessTokenTTL: accessTokenTtl,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };

  return {
    clients: [{
      client_id: CLIENT_ID,
      client_name: 'myorgs',
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: appOrigins.map((origin) => `${origin}/signin-callback`),
      post_logout_redirect_uris: appOrigins.map((origin) => `${origin}/signed-out`),
    }],

    jwks: keys.jwks,
    cookies: {
      keys: keys.cookieKeys,
      // Cookies ignore ports: keep our names distinct from anything the app
      // (same host, other port) might set.
      names: {
        session: 'myorgs_op_session',
        interaction: 'myorgs_op_interaction',
        resume: 'myorgs_op_interaction_resume',
      },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },

    async findAccount(ctx, sub) {
      const account = findAccountById(sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        async claims() {
          return { sub: account.id, name: account.name, preferred_username: account.email };
        },
      };
    },

    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
    },
    scopes: ['openid', 'offline_access'],
    responseTypes: ['code'],
    // The access token is for the API, not the userinfo endpoint, so put the
    // profile claims in the ID token (the app reads `name` from it).
    conformIdTokenClaims: false,

    pkce: { required: () => true },

    // Public SPA client: only its app origins may call the token endpoint.
    clientBasedCORS(ctx, origin, client) {
      return client.clientId === CLIENT_ID && appOrigins.includes(origin);
    },

    // Refresh tokens whenever the client may use them, also after a
    // `prompt=none` re-authentication (oidc-provider drops offline_access from
    // requests whose prompt lacks `consent`).
    async issueRefreshToken(ctx, client, code) {
      if (!client.grantTypeAllowed('refresh_token')) return false;
      return code.scopes.has('offline_access')
        || (client.applicationType === 'web' && client.clientAuthMethod === 'none');
    },
    rotateRefreshToken: true,

    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf.includes(audience) ? audience : oneOf;
          return audience;
        },
        async getResourceServerInfo(ctx, resourceIndicator, client) {
          if (resourceIndicator === audience && client.clientId === CLIENT_ID) {
            return resourceServer;
          }
          throw new oidcErrors.InvalidTarget();
        },
        // Token requests without `resource` get a token for the granted API.
        async useGrantedResource() {
          return true;
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          const page = logoutPage(form);
          ctx.set(page.headers);
          ctx.body = page.html;
        },
        async postLogoutSuccessSource(ctx) {
          const page = signedOutPage();
          ctx.set(page.headers);
          ctx.body = page.html;
        },
      },
    },

    async renderError(ctx, out) {
      const page = errorPage(out);
      ctx.set(page.headers);
      ctx.body = page.html;
    },

    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      AuthorizationCode: AUTHORIZATION_CODE_TTL,
      IdToken: ID_TOKEN_TTL,
      Interaction: INTERACTION_TTL,
      Session: SESSION_TTL,
      Grant: GRANT_TTL,
      // A rotated SPA refresh token keeps the remaining lifetime of the one it
      // replaces (oidc-provider's default policy, with a 1-day chain).
      RefreshToken(ctx, token, client) {
        const rotated = ctx?.oidc?.entities?.RotatedRefreshToken;
        if (rotated && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) {
          return rotated.remainingTTL;
        }
        return REFRESH_TOKEN_TTL;
      },
      ClientCredentials: accessTokenTtl,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
  };
}

// ---------------------------------------------------------------------------
// Interaction routes: GET /interaction/:uid and POST /interaction/:uid/login.
const INTERACTION_ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

function send(res, status, page) {
  res.writeHead(status, page.headers);
  res.end(page.html);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      reject(Object.assign(new Error('expected a form submission'), { status: 415 }));
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > FORM_BODY_LIMIT) {
        reject(Object.assign(new Error('form too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

// First-party app: consent is granted without asking. Grants exactly what the
// request still misses (OIDC scopes, claims, and the API's scopes).
async function grantConsent(provider, req, res, interaction) {
  const { prompt: { details }, params, session } = interaction;
  if (params.client_id !== CLIENT_ID) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'unknown client' }, { mergeWithLastSubmission: false });
    return;
  }

  let grant = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const existing = Boolean(grant);
  grant ??= new provider.Grant({ accountId: session.accountId, clientId: params.client_id });

  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  if (details.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();

  await provider.interactionFinished(req, res, { consent: existing ? {} : { grantId } }, { mergeWithLastSubmission: true });
}

async function handleInteraction(provider, req, res, uid, isLogin) {
  const interaction = await provider.interactionDetails(req, res);
  if (interaction.uid !== uid) {
    throw new oidcErrors.SessionNotFound('interaction session mismatch');
  }
  const { prompt, params } = interaction;
  const action = `/interaction/${uid}/login`;

  if (!isLogin && req.method === 'GET') {
    if (prompt.name === 'login') {
      const hint = typeof params.login_hint === 'string' ? params.login_hint : '';
      send(res, 200, loginPage({ action, login: hint }));
      return;
    }
    if (prompt.name === 'consent') {
      await grantConsent(provider, req, res, interaction);
      return;
    }
    throw new oidcErrors.InvalidRequest(`unsupported interaction prompt ${prompt.name}`);
  }

  if (isLogin && req.method === 'POST') {
    if (prompt.name !== 'login') {
      throw new oidcErrors.InvalidRequest('this sign-in has already been completed');
    }
    const form = await readForm(req);
    const login = form.get('login') ?? '';
    const account = findAccountByEmail(login);
    if (!account || !passwordMatches(account, form.get('password'))) {
      send(res, 200, loginPage({ action, login, failed: true }));
      return;
    }
    log(`signed in ${account.email}`);
    await provider.interactionFinished(req, res, {
      login: { accountId: account.id, amr: ['pwd'], remember: true },
    }, { mergeWithLastSubmission: false });
    return;
  }

  res.writeHead(405, { allow: isLogin ? 'POST' : 'GET', 'content-type': 'text/plain; charset=utf-8' });
  res.end('Method Not Allowed\n');
}

function interactionError(res, err) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof oidcErrors.OIDCProviderError) {
    send(res, err.statusCode ?? 400, errorPage({ error: err.message, error_description: err.error_description }));
  } else if (err?.status === 413 || err?.status === 415) {
    send(res, err.status, errorPage({ error: 'invalid_request', error_description: err.message }));
  } else {
    log('interaction error:', err);
    send(res, 500, errorPage({ error: 'server_error', error_description: 'unexpected error' }));
  }
}

// ---------------------------------------------------------------------------
// Server.
let provider;
let providerCallback;

const server = http.createServer((req, res) => {
  if (!providerCallback) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
    res.end('starting\n');
    return;
  }
  const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
  const match = INTERACTION_ROUTE.exec(pathname);
  if (match) {
    handleInteraction(provider, req, res, match[1], Boolean(match[2])).catch((err) => interactionError(res, err));
    return;
  }
  providerCallback(req, res);
});
server.on('clientError', (err, socket) => {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
});

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', () => {
    server.off('error', reject);
    resolve();
  });
}).catch((err) => fail(`cannot listen on 127.0.0.1:${port}: ${err.message}`));

const issuer = `http://127.0.0.1:${server.address().port}`;
provider = new Provider(issuer, configuration());

for (const event of [
  'authorization.error', 'backchannel.error', 'end_session.error', 'grant.error',
  'introspection.error', 'jwks.error', 'discovery.error', 'userinfo.error', 'revocation.error',
]) {
  provider.on(event, (ctx, err) => log(`${event}: ${err.error ?? err.name}: ${err.error_description ?? err.message}`));
}
provider.on('server_error', (ctx, err) => log('server_error:', err));

providerCallback = provider.callback();

process.stdout.write(`issuer ${issuer}\n`);
log(`listening on ${issuer} for ${appOrigins.join(', ')}; audience ${audience}; access tokens ${accessTokenTtl}s`);

// ---------------------------------------------------------------------------
// Shutdown and stray errors.
function shutdown(signal) {
  log(`${signal}: shutting down`);
  setTimeout(() => process.exit(0), 1500).unref();
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));

process.on('unhandledRejection', (err) => log('unhandled rejection:', err));
process.on('uncaughtException', (err) => log('uncaught exception:', err));
