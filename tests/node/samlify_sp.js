#!/usr/bin/env node
// A stock samlify service provider (default settings) signing in at the idaas IdP: reads the
// IdP metadata, sends samlify's own AuthnRequest over HTTP-Redirect, signs in on the hosted login
// page like a browser (cookies, CSRF field), takes the auto-posted SAMLResponse and lets samlify
// parse and verify it. Prints {"name_id", "name_id_format", "attributes", "issuer"} as JSON.
//
// Usage: node samlify_sp.js BASE_URL SP_ENTITY_ID ACS_URL USER PASSWORD
'use strict';

const saml = require('samlify');
const validator = require('@authenio/samlify-node-xmllint');

saml.setSchemaValidator(validator);

const [base, entityID, acs, user, password] = process.argv.slice(2);
const origin = new URL(base).origin;
const cookies = new Map();

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function request(method, url, body) {
  const headers = {};
  if (cookies.size) {
    headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  if (body) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(url, { method, headers, body, redirect: 'manual' });
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (value === '' || /max-age=0/i.test(cookie)) cookies.delete(name);
    else cookies.set(name, value);
  }
  return response;
}

// Follows redirects while they stay on the IdP; returns the last answer and its text.
async function follow(response) {
  for (let i = 0; i < 15 && response.status >= 300 && response.status < 400; i += 1) {
    const next = new URL(response.headers.get('location'), origin);
    if (next.origin !== origin) fail(`left the IdP for ${next}`);
    response = await request('GET', next.toString());
  }
  return { response, text: await response.text() };
}

function field(html, name) {
  const match = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  return match ? match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x2F;/g, '/') : undefined;
}

async function main() {
  const metadata = await (await fetch(`${base}/api/v1/saml2/idp/metadata`)).text();
  const idp = saml.IdentityProvider({ metadata });
  const sp = saml.ServiceProvider({
    entityID,
    assertionConsumerService: [{ Binding: saml.Constants.namespace.binding.post, Location: acs }],
  });
  const { context } = sp.createLoginRequest(idp, 'redirect');
  let { text } = await follow(await request('GET', context));
  const csrf = field(text, 'csrf');
  if (!csrf) fail(`expected the login page, got: ${text.slice(0, 500)}`);
  const form = new URLSearchParams({ username: user, password, csrf });
  for (const name of ['return_to', 'client_id']) {
    const value = field(text, name);
    if (value !== undefined) form.set(name, value);
  }
  ({ text } = await follow(await request('POST', `${origin}/api/v1/login/form`, form.toString())));
  const samlResponse = field(text, 'SAMLResponse');
  if (!samlResponse) fail(`expected a posted SAMLResponse, got: ${text.slice(0, 500)}`);
  const relayState = field(text, 'RelayState');
  const { extract } = await sp.parseLoginResponse(idp, 'post', {
    body: { SAMLResponse: samlResponse, RelayState: relayState },
  });
  process.stdout.write(JSON.stringify({
    name_id: extract.nameID,
    issuer: extract.issuer,
    attributes: extract.attributes,
    audience: extract.audience,
  }));
}

main().catch((error) => fail(`samlify: ${error && error.stack ? error.stack : error}`));
