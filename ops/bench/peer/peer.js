// The peer of the side-by-side benchmark (ops/bench/reports/side-by-side.md): oidc-provider 9,
// in memory, on 127.0.0.1. Started by `cargo run --release -p idaas-bench -- peer`; by hand:
//
//   node peer.js [port]        (port 0 or absent: any free port; PEER_PORT works too)
//
// It prints one line `listening <issuer>` on stdout once it answers, and exits when its standard
// input ends (the benchmark that started it is gone, or Ctrl-D by hand).
//
// What it serves, mirroring the idaas side (ops/bench/src/server.rs):
// - one confidential client (`client_secret_post`), grants authorization_code, refresh_token and
//   client_credentials, one redirect URI, PKCE (S256) required;
// - client credentials answered with an opaque access token (no resource indicator needed);
// - the code flow of a browser that already has a session: the session is made once per browser
//   by the interaction route below, which signs in the account named by `login_hint` (there is no
//   password to check: the benchmark measures the flow, not the login). `loadExistingGrant`
//   grants `openid profile`, so a signed-in browser gets its code without a consent page;
// - every code exchange returns an access, id (RS256, RSA-2048, as idaas's default) and refresh
//   token, as idaas does for a client allowed the refresh grant;
// - storage in process memory: a Map, no size cap (the built-in development adapter keeps only
//   the last ~1,000–2,000 entries and would forget the sessions during a run).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const CLIENT_ID = 'bench-peer-rp';
const CLIENT_SECRET = 'bench-peer-secret-0123456789abcdef0123456789abcdef';
const REDIRECT_URI = 'https://rp.example.com/callback';
// Accounts `bench0` … `bench255`, as the idaas side's users.
const ACCOUNTS = 256;

// The adapter interface of oidc-provider over one Map; expired entries are dropped when read and
// swept once a minute.
class MapAdapter {
  static entries = new Map();

  static grants = new Map();

  static uids = new Map();

  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  static read(key) {
    const entry = MapAdapter.entries.get(key);
    if (entry && entry.expires <= Date.now()) {
      MapAdapter.entries.delete(key);
      return undefined;
    }
    return entry?.payload;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const expires = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
    MapAdapter.entries.set(key, { payload, expires });
    if (this.model === 'Session') {
      MapAdapter.uids.set(payload.uid, id);
    }
    if (payload.grantId) {
      const members = MapAdapter.grants.get(payload.grantId) ?? new Set();
      members.add(key);
      MapAdapter.grants.set(payload.grantId, members);
    }
  }

  async find(id) {
    return MapAdapter.read(this.key(id));
  }

  async findByUid(uid) {
    const id = MapAdapter.uids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode() {
    return undefined;
  }

  async consume(id) {
    const payload = MapAdapter.read(this.key(id));
    if (payload) {
      payload.consumed = Math.floor(Date.now() / 1000);
    }
  }

  async destroy(id) {
    const key = this.key(id);
    const payload = MapAdapter.read(key);
    MapAdapter.entries.delete(key);
    if (payload?.uid && this.model === 'Session') {
      MapAdapter.uids.delete(payload.uid);
    }
    if (payload?.grantId) {
      MapAdapter.grants.get(payload.grantId)?.delete(key);
    }
  }

  async revokeByGrantId(grantId) {
    for (const key of MapAdapter.grants.get(grantId) ?? []) {
      MapAdapter.entries.delete(key);
    }
    MapAdapter.grants.delete(grantId);
  }

  static sweep() {
    const now = Date.now();
    for (const [key, entry] of MapAdapter.entries) {
      if (entry.expires <= now) {
        MapAdapter.entries.delete(key);
      }
    }
  }
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'bench-rs256' };
}

async function findAccount(_ctx, sub) {
  const n = /^bench(\d+)$/.exec(sub)?.[1];
  if (n === undefined || Number(n) >= ACCOUNTS) {
    return undefined;
  }
  return {
    accountId: sub,
    async claims() {
      return { sub, name: sub, preferred_username: sub, email: `${sub}@example.com` };
    },
  };
}

// The documented way to skip consent for a first-party client: reuse the session's grant, or
// make one for `openid profile`.
async function loadExistingGrant(ctx) {
  const { client, session } = ctx.oidc;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  if (grantId) {
    return ctx.oidc.provider.Grant.find(grantId);
  }
  const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope('openid profile');
  await grant.save();
  return grant;
}

function configuration() {
  return {
    adapter: MapAdapter,
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    findAccount,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    jwks: { keys: [signingKey()] },
    loadExistingGrant,
    pkce: { required: () => true },
  };
}

// The interaction page: signs in the account of `login_hint` at once (no form).
async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const accountId = details.params.login_hint ?? 'bench0';
  if (!(await findAccount(undefined, accountId))) {
    res.statusCode = 400;
    res.end('unknown login_hint');
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
}

const port = Number(process.argv[2] ?? process.env.PEER_PORT ?? 0);
let handle;
const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error(error);
    res.statusCode = 500;
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());
  provider.on('server_error', (_ctx, error) => console.error(error));
  const callback = provider.callback();
  handle = async (req, res) => {
    if (req.url.startsWith('/interaction/')) {
      await interaction(provider, req, res);
    } else {
      callback(req, res);
    }
  };
  setInterval(MapAdapter.sweep, 60_000).unref();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  console.log(`listening ${issuer}`);
});
