// HTTP helpers for the tests that sign in over plain HTTP (provider.test.mjs, and
// scripts/cluster.test.mjs): a name-keyed cookie jar that honours expiry, and requests that never
// follow redirects by themselves. Not a test file: `node --test` runs only `*.test.mjs`.

export class Jar {
  cookies = new Map();

  store(res) {
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attrs] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v] = a.trim().split('=');
        return k.toLowerCase() === 'expires' && Date.parse(v) < Date.now();
      });
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export async function request(url, { jar, method = 'GET', form, headers = {} } = {}) {
  const init = { method, redirect: 'manual', headers: { ...headers } };
  if (jar?.cookies.size) init.headers.cookie = jar.header();
  if (form) {
    init.body = new URLSearchParams(form).toString();
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(url, init);
  jar?.store(res);
  return res;
}
