// A real OAuth 2.0 / OpenID Connect server for the identity peer tests, built on
// oauth2-mock-server (signed RS256 JWTs, JWKS, PKCE S256 checks) with the rules a mock leaves
// out: registered clients and secrets, short-lived tokens, refresh-token rotation and
// revocation, Microsoft-style `client_info` and AADSTS error bodies, and the identity platform's
// `/{tenant}/oauth2/v2.0/...` paths.
//
// Usage: node server.js PORT  (listens on 127.0.0.1; prints "ready <url>" when listening)
// POST /admin/revoke revokes every refresh token issued so far.

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { OAuth2Issuer, OAuth2Service, Events } from 'oauth2-mock-server';

const TENANT = 'tenant-1';
const CLIENTS = {
  'peer-confidential': { secret: 'peer-secret' },
  'peer-public': { secret: null },
};
const ACCESS_TOKEN_SECONDS = 120;
const REFRESH_TOKEN_SECONDS = 600;
const USER = { oid: 'oid-peer', tid: 'tid-peer', username: 'peer.user@contoso.test' };

const port = Number(process.argv[2] ?? 0);
const refreshTokens = new Map(); // token -> { clientId, expiresAt, revoked }

const issuer = new OAuth2Issuer();
await issuer.keys.generate('RS256');
const base = `/${TENANT}/oauth2/v2.0`;
const service = new OAuth2Service(issuer, {
  token: `${base}/token`,
  authorize: `${base}/authorize`,
  wellKnownDocument: `/${TENANT}/v2.0/.well-known/openid-configuration`,
});

service.on(Events.BeforeTokenSigning, (token) => {
  Object.assign(token.payload, {
    oid: USER.oid,
    tid: USER.tid,
    preferred_username: USER.username,
    uti: randomUUID(),
  });
});

const fail = (response, status, error, aadsts, description) => {
  response.statusCode = status;
  response.body = {
    error,
    error_description: `AADSTS${aadsts}: ${description}`,
    error_codes: [aadsts],
  };
};

service.on(Events.BeforeResponse, (response, req) => {
  const body = req.body;
  const client = CLIENTS[body.client_id];
  if (!client) {
    return fail(response, 400, 'unauthorized_client', 700016, `Application '${body.client_id}' was not found.`);
  }
  if (client.secret !== null && body.client_secret !== client.secret) {
    return fail(response, 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
  }
  if (body.grant_type === 'authorization_code' && body.code_verifier === undefined) {
    return fail(response, 400, 'invalid_grant', 50148, 'The code_verifier does not match the code_challenge.');
  }
  if (body.grant_type === 'refresh_token') {
    const known = refreshTokens.get(body.refresh_token);
    if (!known || known.clientId !== body.client_id) {
      return fail(response, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    }
    if (known.revoked) {
      return fail(response, 400, 'invalid_grant', 50173, 'The provided grant has expired due to it being revoked.');
    }
    if (Date.now() > known.expiresAt) {
      return fail(response, 400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity.');
    }
    known.revoked = true; // rotation: a refresh token is good for one use
  }
  response.body.expires_in = ACCESS_TOKEN_SECONDS;
  if (response.body.refresh_token) {
    refreshTokens.set(response.body.refresh_token, {
      clientId: body.client_id,
      expiresAt: Date.now() + REFRESH_TOKEN_SECONDS * 1000,
      revoked: false,
    });
    response.body.client_info = Buffer.from(
      JSON.stringify({ uid: USER.oid, utid: USER.tid }),
    ).toString('base64url');
  }
});

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/admin/revoke') {
    for (const entry of refreshTokens.values()) entry.revoked = true;
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  service.requestHandler(req, res);
});

server.listen(port, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  issuer.url = url;
  console.log(`ready ${url}`);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
