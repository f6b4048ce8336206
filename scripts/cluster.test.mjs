// End to end through scripts/cluster.sh: PostgreSQL, three API instances, the local OpenID
// provider and nginx in front. Megan signs in through the provider's own page (the
// authorization-code flow with PKCE the app uses, over HTTP), then leaves organizations through
// the balancer while one instance is stopped and started again by its supervisor; every leave
// is answered 204 and every instance, the restarted one included, sees them all.
//
//   node --test scripts/cluster.test.mjs      (make cluster-test; needs PostgreSQL and nginx:
//                                              scripts/install-tools.sh --cluster)
// MYORGS_SERVER names the server binary (default: target/debug/myorgs-server).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Jar, request } from './oidc/http.mjs';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const MEGAN = { email: 'MeganB@contoso.com', password: 'Megan-demo-1' };
const SCOPE = 'openid profile offline_access myorgs.read myorgs.leave';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts the cluster; `lines` collects what it prints, `waitFor(re)` resolves on a match.
function startCluster(addr) {
  const server = process.env.MYORGS_SERVER ?? path.join(ROOT, 'target/debug/myorgs-server');
  const child = spawn(path.join(ROOT, 'scripts/cluster.sh'), [
    '--addr', addr, '--server', server, '--', '--guests', '30',
  ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines = [];
  const waiters = [];
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of [...waiters]) {
        const match = waiter.re.exec(line);
        if (match) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(match);
        }
      }
    }
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  function waitFor(re, after = 0, ms = 60000) {
    const seen = lines.slice(after).map((line) => re.exec(line)).find(Boolean);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; stderr:\n${stderr}`)), ms);
      waiters.push({ re, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      exited.then(() => reject(new Error(`cluster.sh exited; stderr:\n${stderr}`)));
    });
  }
  return { child, lines, waitFor, exited };
}

// Signs Megan in as the app does and returns her access token.
async function signIn(app, issuer) {
  const config = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(config.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: 'myorgs', response_type: 'code', redirect_uri: `${app}/signin-callback`, scope: SCOPE,
    state, nonce: randomBytes(8).toString('hex'), code_challenge: challenge,
    code_challenge_method: 'S256', resource: 'api://myorgs',
  }).toString();
  const jar = new Jar();
  let url = authorize.href;
  let res = await request(url, { jar });
  let form;
  for (let hops = 0; hops < 20; hops += 1) {
    if ([301, 302, 303, 307, 308].includes(res.status)) {
      await res.arrayBuffer();
      url = new URL(res.headers.get('location'), url).href;
      if (url.startsWith(`${app}/`)) break;
      res = await request(url, { jar });
      continue;
    }
    assert.equal(res.status, 200);
    assert.equal(form, undefined, 'one sign-in page');
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html);
    assert.ok(action, 'the sign-in page has a form');
    form = new URL(action[1].replace(/&amp;/g, '&'), url).href;
    res = await request(form, { jar, method: 'POST', form: { login: MEGAN.email, password: MEGAN.password } });
  }
  const callback = new URL(url);
  assert.equal(callback.pathname, '/signin-callback');
  assert.equal(callback.searchParams.get('state'), state);
  const tokenRes = await request(config.token_endpoint, {
    method: 'POST',
    headers: { origin: app },
    form: {
      client_id: 'myorgs', grant_type: 'authorization_code', code: callback.searchParams.get('code'),
      code_verifier: verifier, redirect_uri: `${app}/signin-callback`,
    },
  });
  const body = await tokenRes.json();
  assert.equal(tokenRes.status, 200, JSON.stringify(body));
  return body.access_token;
}

describe('the cluster: PostgreSQL, three instances, nginx', () => {
  let cluster;
  let app;
  let issuer;
  let token;

  before(async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    app = `http://${addr}`;
    cluster = startCluster(addr);
    issuer = (await cluster.waitFor(/^issuer (\S+)$/))[1];
    await cluster.waitFor(/^ready /);
    token = await signIn(app, issuer);
  });

  after(async () => {
    if (!cluster) return;
    process.kill(-cluster.child.pid, 'SIGTERM');
    await cluster.exited;
  });

  const api = (base, route, method = 'GET') => fetch(`${base}/api/v1${route}`, {
    method, headers: { authorization: `Bearer ${token}` },
  });
  const leavable = async (base) => {
    const res = await api(base, '/me/organizations?$top=999');
    assert.equal(res.status, 200);
    return (await res.json()).value.filter((org) => org.leave.allowed).map((org) => org.id);
  };

  it('signs in and leaves while one instance is stopped and started again', async () => {
    const before = await leavable(app);
    assert.ok(before.length >= 20, `${before.length} organizations to leave`);
    const [, , firstPid] = await cluster.waitFor(/^api 2 (\S+) pid (\d+)$/);
    const mark = cluster.lines.length;

    // Instance 2 stops: the balancer sends everything to the other two.
    process.kill(Number(firstPid), 'SIGTERM');
    const left = [];
    for (const id of before.slice(0, 8)) {
      const res = await api(app, `/me/organizations/${id}`, 'DELETE');
      assert.equal(res.status, 204, `${id}: ${await res.text()}`);
      left.push(id);
    }

    // Its supervisor starts it again; leaves go on through all three.
    const [, instance2, secondPid] = await cluster.waitFor(/^api 2 (\S+) pid (\d+)$/, mark);
    assert.notEqual(secondPid, firstPid);
    for (const id of before.slice(8, 16)) {
      const res = await api(app, `/me/organizations/${id}`, 'DELETE');
      assert.equal(res.status, 204, `${id}: ${await res.text()}`);
      left.push(id);
    }

    // Every instance, the restarted one asked directly, sees every leave, and nothing else gone.
    const instances = cluster.lines.map((line) => /^api \d (\S+) pid/.exec(line)?.[1]).filter(Boolean);
    for (const base of new Set([...instances, instance2, app])) {
      const now = await leavable(base);
      assert.deepEqual(now, before.filter((id) => !left.includes(id)), base);
    }
    // And the app itself is served by nginx, when there is a build (make build) to serve.
    const page = await fetch(`${app}/`);
    if (fs.existsSync(path.join(ROOT, 'dist/index.html'))) {
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/);
    } else {
      assert.equal(page.status, 404);
    }
  });
});
