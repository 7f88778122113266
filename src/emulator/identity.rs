//! The Microsoft identity platform v2.0 endpoints: `/{tenant}/oauth2/v2.0/authorize`, `/token`,
//! `/devicecode`, and the OpenID configuration document.

use http::{Method, StatusCode};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use super::config::{ClientApp, TestUser};
use super::server::{Shared, State};
use super::tokens::{AccessGrant, AuthCode, DeviceGrant, DevicePoll, RefreshGrant, RefreshState};
use super::util;
use super::wire::{Reply, Req};

/// Graph's resource URI, stripped from delegated scopes in token responses.
const GRAPH_RESOURCE: &str = "https://graph.microsoft.com/";
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// Authorization codes live this long (seconds).
const CODE_LIFETIME: i64 = 600;

/// An OAuth error as the identity platform reports it.
#[derive(Debug)]
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
    suberror: Option<&'static str>,
}

type OAuthResult<T> = std::result::Result<T, OAuthError>;

impl OAuthError {
    fn new(error: &'static str, code: u32, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            description: description.into(),
            suberror: None,
        }
    }

    fn invalid_client(code: u32, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            ..OAuthError::new("invalid_client", code, description)
        }
    }

    fn missing(parameter: &str) -> OAuthError {
        OAuthError::new(
            "invalid_request",
            900_144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    fn invalid_grant(code: u32, description: impl Into<String>) -> OAuthError {
        OAuthError::new("invalid_grant", code, description)
    }

    fn reply(&self, req: &Req) -> Reply {
        let timestamp = util::iso(req.now).replace('T', " ");
        let mut body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: {timestamp}",
                self.code, self.description, req.request_id, req.client_request_id()
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": req.request_id,
            "correlation_id": req.client_request_id(),
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        if let Some(sub) = self.suberror {
            body["suberror"] = json!(sub);
        }
        Reply::json(self.status, &body)
    }
}

/// Form fields of a token request (first value per name).
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> OAuthResult<&str> {
        self.get(name).ok_or_else(|| OAuthError::missing(name))
    }
}

/// Dispatches `/{tenant}/oauth2/v2.0/{endpoint}`.
pub(crate) fn handle(shared: &Shared, tenant: &str, endpoint: &str, req: &Req) -> Option<Reply> {
    Some(match (endpoint, &req.method) {
        ("authorize", &Method::GET) => authorize(shared, req),
        ("token", &Method::POST) => token(shared, tenant, req).unwrap_or_else(|e| e.reply(req)),
        ("devicecode", &Method::POST) => devicecode(shared, req).unwrap_or_else(|e| e.reply(req)),
        ("token" | "devicecode", _) => OAuthError::new(
            "invalid_request",
            900_561,
            "The endpoint only accepts POST, OPTIONS requests.",
        )
        .reply(req),
        _ => return None,
    })
}

/// The OpenID Connect discovery document for `tenant`.
pub(crate) fn openid_configuration(shared: &Shared, tenant: &str) -> Reply {
    let base = &shared.base_url;
    let tid = &shared.config.user.tid;
    Reply::json(
        StatusCode::OK,
        &json!({
            "issuer": format!("{base}/{tid}/v2.0"),
            "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
            "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
            "device_authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/devicecode"),
            "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "code_challenge_methods_supported": ["S256"],
            "tenant_region_scope": "WW",
        }),
    )
}

fn authorize(shared: &Shared, req: &Req) -> Reply {
    let page = |code: u32, text: String| {
        Reply::html(StatusCode::BAD_REQUEST, &format!("AADSTS{code}: {text}"))
    };
    let Some(client_id) = req.query_param("client_id") else {
        return page(
            900_144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        );
    };
    let Some(client) = shared.config.client(client_id) else {
        return page(
            700_016,
            format!("Application with identifier '{client_id}' was not found in the directory."),
        );
    };
    let redirect_uri = req.query_param("redirect_uri").unwrap_or_default();
    if !client.accepts_redirect(redirect_uri) {
        return page(
            50_011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
            ),
        );
    }
    let state = req.query_param("state");
    let redirect = |params: Vec<(&str, &str)>| {
        let mut url = redirect_uri.to_owned();
        url.push(if url.contains('?') { '&' } else { '?' });
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(params.into_iter().chain(state.map(|s| ("state", s))));
        url.push_str(&query.finish());
        Reply::redirect(url)
    };
    let error = |error: &str, description: &str| {
        redirect(vec![("error", error), ("error_description", description)])
    };
    if req.query_param("response_type") != Some("code") {
        return error(
            "unsupported_response_type",
            "AADSTS700054: response_type must be 'code' in the emulator.",
        );
    }
    let Some(scope) = req.query_param("scope") else {
        return error(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'scope'.",
        );
    };
    let challenge = req.query_param("code_challenge");
    if challenge.is_some() && req.query_param("code_challenge_method") != Some("S256") {
        return error(
            "invalid_request",
            "AADSTS501491: Invalid size of Code_Challenge parameter or unsupported code_challenge_method (only S256).",
        );
    }
    let code = shared.state().tokens.add_code(AuthCode {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scope.to_owned(),
        code_challenge: challenge.map(str::to_owned),
        nonce: req.query_param("nonce").map(str::to_owned),
        expires_at: req.now + CODE_LIFETIME,
        redeemed: false,
    });
    let session_state = util::uuid();
    redirect(vec![("code", &code), ("session_state", &session_state)])
}

fn devicecode(shared: &Shared, req: &Req) -> OAuthResult<Reply> {
    let form = Form(req.form());
    let client = client(shared, form.require("client_id")?)?;
    let scope = form.require("scope")?;
    let device = &shared.config.device;
    let device_code = format!(
        "DAQABIQEAAABVrSpeuWamRam2jAF1XRQE{}",
        util::random_token(48)
    );
    let user_code: String = util::random_token(12)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .chain("EMULATOR1".chars())
        .take(9)
        .collect();
    shared.state().tokens.add_device(
        device_code.clone(),
        DeviceGrant {
            client_id: client.client_id.clone(),
            scope: scope.to_owned(),
            expires_at: req.now + device.lifetime.as_secs() as i64,
            polls: 0,
            last_poll: None,
            redeemed: false,
        },
    );
    let verification_uri = format!("{}/devicelogin", shared.base_url);
    Ok(Reply::json(
        StatusCode::OK,
        &json!({
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": verification_uri,
            "expires_in": device.lifetime.as_secs(),
            "interval": device.interval.as_secs(),
            "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
        }),
    ))
}

fn client<'a>(shared: &'a Shared, client_id: &str) -> OAuthResult<&'a ClientApp> {
    shared.config.client(client_id).ok_or_else(|| {
        OAuthError::new(
            "unauthorized_client",
            700_016,
            format!("Application with identifier '{client_id}' was not found in the directory."),
        )
    })
}

fn token(shared: &Shared, tenant: &str, req: &Req) -> OAuthResult<Reply> {
    let form = Form(req.form());
    let grant_type = form.require("grant_type")?;
    shared.counters().record_token_request(grant_type);
    let client = client(shared, form.require("client_id")?)?;
    let token_urls = [&shared.config.user.tid, tenant]
        .map(|t| format!("{}/{t}/oauth2/v2.0/token", shared.base_url));
    authenticate(client, &form, &token_urls, req.now)?;
    let mut issue = Issue {
        shared,
        client,
        tenant,
        user: Some(&shared.config.user),
        nonce: None,
        scope: form.get("scope").unwrap_or_default().to_owned(),
        now: req.now,
    };
    let body = match grant_type {
        "authorization_code" => {
            let code = form.require("code")?;
            let redirect_uri = form.require("redirect_uri")?;
            let mut state = shared.state();
            let grant = check_code(
                &state,
                client,
                code,
                redirect_uri,
                form.get("code_verifier"),
                req.now,
            )?;
            state.tokens.mark_code_redeemed(code);
            if issue.scope.is_empty() {
                issue.scope = grant.scope;
            }
            issue.nonce = grant.nonce;
            issue.delegated(&mut state)?
        }
        "refresh_token" => {
            let token = form.require("refresh_token")?;
            let mut state = shared.state();
            let grant = check_refresh(&mut state, client, token, req.now)?;
            if issue.scope.is_empty() {
                issue.scope = grant.scope;
            }
            issue.delegated(&mut state)?
        }
        "client_credentials" => {
            if !client.is_confidential() {
                return Err(OAuthError::invalid_client(
                    7_000_218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                ));
            }
            issue.app_only(&mut shared.state(), form.require("scope")?)?
        }
        "password" => {
            check_password(
                &shared.config.user,
                form.require("username")?,
                form.require("password")?,
                tenant,
            )?;
            issue.delegated(&mut shared.state())?
        }
        DEVICE_CODE_GRANT => {
            let device_code = form.require("device_code")?;
            let device = &shared.config.device;
            let mut state = shared.state();
            let poll = state.tokens.poll_device(
                device_code,
                &client.client_id,
                shared.system_now(),
                device.interval,
                device.polls_before_approval,
            );
            issue.scope = match poll {
                DevicePoll::Approved(scope) => scope,
                DevicePoll::Pending => {
                    return Err(OAuthError::new(
                        "authorization_pending",
                        70_016,
                        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                    ));
                }
                DevicePoll::SlowDown => {
                    return Err(OAuthError::new(
                        "slow_down",
                        70_016,
                        "OAuth 2.0 device flow error. Polling faster than the interval: slow down.",
                    ));
                }
                DevicePoll::Expired => {
                    return Err(OAuthError::new(
                        "expired_token",
                        70_019,
                        "The provided value for the input parameter 'device_code' is not valid. This verification code expired.",
                    ));
                }
                DevicePoll::Unknown => {
                    return Err(OAuthError::invalid_grant(
                        9_002_313,
                        "Invalid request. Request is malformed or invalid. (unknown device_code)",
                    ));
                }
            };
            issue.delegated(&mut state)?
        }
        other => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                70_003,
                format!("The app requested an unsupported grant type '{other}'."),
            ));
        }
    };
    Ok(Reply::json(StatusCode::OK, &body).with_header("cache-control", "no-store, no-cache"))
}

/// Checks the client's credential: none for public clients, a secret or a signed assertion for
/// confidential ones.
fn authenticate(
    client: &ClientApp,
    form: &Form,
    token_urls: &[String],
    now: i64,
) -> OAuthResult<()> {
    let assertion = form.get("client_assertion");
    let secret = form.get("client_secret");
    if !client.is_confidential() {
        return match assertion.or(secret) {
            Some(_) => Err(OAuthError::invalid_client(
                700_025,
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
            )),
            None => Ok(()),
        };
    }
    match (assertion, secret) {
        (Some(assertion), _) => {
            if form.get("client_assertion_type") != Some(JWT_BEARER) {
                return Err(OAuthError::missing("client_assertion_type"));
            }
            verify_assertion(client, assertion, token_urls, now)
        }
        (None, Some(secret)) if client.secret_matches(secret) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_client(
            7_000_215,
            format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}'.",
                client.client_id
            ),
        )),
        (None, None) => Err(OAuthError::invalid_client(
            7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        )),
    }
}

/// Verifies a `client_assertion` JWT against the client's registered certificate.
fn verify_assertion(
    client: &ClientApp,
    assertion: &str,
    token_urls: &[String],
    now: i64,
) -> OAuthResult<()> {
    let invalid = |what: &str| {
        OAuthError::invalid_client(
            700_027,
            format!("Client assertion failed validation: {what}."),
        )
    };
    let pem = client
        .certificate_pem
        .as_deref()
        .ok_or_else(|| invalid("no certificate is registered for the application"))?;
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| OAuthError::invalid_client(50_027, "JWT token is invalid or malformed."))?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(invalid("the signing algorithm must be RS256 or PS256"));
    }
    let key = DecodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| invalid("the registered certificate is not an RSA key"))?;
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.set_audience(token_urls);
    validation.set_issuer(&[&client.client_id]);
    validation.sub = Some(client.client_id.clone());
    let claims = jsonwebtoken::decode::<Value>(assertion, &key, &validation)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            invalid(match e.kind() {
                K::InvalidSignature => "the signature does not match the registered certificate",
                K::InvalidAudience => "aud must be the token endpoint URL",
                K::InvalidIssuer => "iss must be the client id",
                K::InvalidSubject => "sub must be the client id",
                K::MissingRequiredClaim(_) => "a required claim (exp, aud, iss, sub) is missing",
                _ => "the assertion could not be verified",
            })
        })?
        .claims;
    let exp = claims["exp"].as_i64().unwrap_or(0);
    let nbf = claims["nbf"].as_i64().unwrap_or(i64::MIN);
    if exp <= now || nbf > now + 300 {
        return Err(OAuthError::invalid_client(
            700_024,
            format!(
                "Client assertion is not within its valid time range. Current time: {}, expiry time of assertion {}.",
                util::iso(now),
                util::iso(exp)
            ),
        ));
    }
    Ok(())
}

fn check_code(
    state: &State,
    client: &ClientApp,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
    now: i64,
) -> OAuthResult<AuthCode> {
    let grant = state
        .tokens
        .code(code)
        .filter(|c| c.client_id == client.client_id)
        .ok_or_else(|| {
            OAuthError::invalid_grant(
                70_000,
                "The provided value for the 'code' parameter is not valid.",
            )
        })?;
    if grant.redeemed {
        return Err(OAuthError::invalid_grant(
            54_005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        ));
    }
    if grant.expires_at <= now {
        return Err(OAuthError::invalid_grant(
            70_008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if grant.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            50_011,
            format!(
                "The redirect URI '{redirect_uri}' does not match the one used in the authorization request."
            ),
        ));
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier = verifier.ok_or_else(|| OAuthError::missing("code_verifier"))?;
        if pkce_challenge(verifier) != *challenge {
            return Err(OAuthError::invalid_grant(
                501_481,
                "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            ));
        }
    }
    Ok(grant.clone())
}

/// `BASE64URL(SHA256(verifier))`, the S256 PKCE challenge.
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    util::b64url(
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes()).as_ref(),
    )
}

fn check_refresh(
    state: &mut State,
    client: &ClientApp,
    token: &str,
    now: i64,
) -> OAuthResult<RefreshGrant> {
    let grant = state
        .tokens
        .rotate_refresh(token)
        .filter(|g| g.client_id == client.client_id)
        .ok_or_else(|| {
            OAuthError::invalid_grant(
                9_002_313,
                "Invalid request. Request is malformed or invalid. (unknown refresh_token)",
            )
        })?;
    match grant.state {
        RefreshState::Revoked => Err(OAuthError::invalid_grant(
            50_173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        )),
        RefreshState::Rotated => Err(OAuthError::invalid_grant(
            70_008,
            "The refresh token has expired or was already used: the emulator rotates refresh tokens on every redemption.",
        )),
        RefreshState::Active if grant.expires_at <= now => Err(OAuthError::invalid_grant(
            70_008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        )),
        RefreshState::Active => Ok(grant),
    }
}

fn check_password(
    user: &TestUser,
    username: &str,
    password: &str,
    tenant: &str,
) -> OAuthResult<()> {
    use secrecy::ExposeSecret;
    if !username.eq_ignore_ascii_case(&user.preferred_username) {
        return Err(OAuthError::invalid_grant(
            50_034,
            format!("The user account {{EmailHidden}} does not exist in the {tenant} directory."),
        ));
    }
    if user.password.expose_secret() != password {
        return Err(OAuthError::invalid_grant(
            50_126,
            "Error validating credentials due to invalid username or password.",
        ));
    }
    Ok(())
}

/// The scopes of a request, split into resource scopes (prefix stripped) and OIDC scopes.
#[derive(Debug, PartialEq)]
struct Scopes {
    resource: Vec<String>,
    oidc: Vec<String>,
}

impl Scopes {
    fn parse(scope: &str) -> Scopes {
        let (oidc, resource): (Vec<&str>, Vec<&str>) = scope
            .split_whitespace()
            .partition(|s| OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(s)));
        Scopes {
            resource: resource
                .iter()
                .map(|s| s.strip_prefix(GRAPH_RESOURCE).unwrap_or(s).to_owned())
                .collect(),
            oidc: oidc.iter().map(|s| s.to_ascii_lowercase()).collect(),
        }
    }

    fn has(&self, oidc: &str) -> bool {
        self.oidc.iter().any(|s| s == oidc)
    }
}

/// One token issuance.
struct Issue<'a> {
    shared: &'a Shared,
    client: &'a ClientApp,
    tenant: &'a str,
    user: Option<&'a TestUser>,
    nonce: Option<String>,
    scope: String,
    now: i64,
}

impl Issue<'_> {
    fn expiry(&self) -> (u64, i64) {
        let lifetime = self.shared.config.access_token_lifetime.as_secs();
        (lifetime, self.now + lifetime as i64)
    }

    /// Tokens for the test user: access, refresh (with `offline_access`), id (with `openid`).
    fn delegated(&self, state: &mut State) -> OAuthResult<Value> {
        let user = self.user.unwrap_or(&self.shared.config.user);
        let requested = Scopes::parse(&self.scope);
        let granted = self.client.granted_scopes.clone();
        let mut scopes: Vec<String> = requested
            .resource
            .iter()
            .filter(|s| *s != ".default")
            .cloned()
            .collect();
        if requested.resource.iter().any(|s| s == ".default") {
            scopes.extend(granted.clone().unwrap_or_else(|| vec!["User.Read".into()]));
        }
        if scopes.is_empty() {
            scopes.push("User.Read".into());
        }
        if let Some(granted) = &granted
            && let Some(missing) = scopes
                .iter()
                .find(|s| !granted.iter().any(|g| g.eq_ignore_ascii_case(s)))
        {
            return Err(OAuthError {
                suberror: Some("consent_required"),
                ..OAuthError::invalid_grant(
                    65_001,
                    format!(
                        "The user or administrator has not consented to use the application with ID '{}'. Send an interactive authorization request for this user and resource. (scope {missing})",
                        self.client.client_id
                    ),
                )
            });
        }
        let (lifetime, expires_at) = self.expiry();
        let base = &self.shared.base_url;
        let access_token = super::tokens::sign(&json!({
            "aud": GRAPH_RESOURCE.trim_end_matches('/'),
            "iss": format!("{base}/{}/", user.tid),
            "iat": self.now, "nbf": self.now, "exp": expires_at,
            "appid": self.client.client_id,
            "idtyp": "user",
            "name": user.name,
            "oid": user.oid,
            "scp": scopes.join(" "),
            "tid": user.tid,
            "upn": user.preferred_username,
            "uti": util::random_token(16),
            "ver": "1.0",
        }));
        state.tokens.add_access(
            access_token.clone(),
            AccessGrant {
                client_id: self.client.client_id.clone(),
                user: Some(user.oid.clone()),
                scopes: scopes.clone(),
                expires_at,
            },
        );
        let returned: Vec<&str> = scopes
            .iter()
            .map(String::as_str)
            .chain(
                ["openid", "profile", "email"]
                    .into_iter()
                    .filter(|s| requested.has(s) || (*s == "email" && requested.has("openid"))),
            )
            .collect();
        let mut body = json!({
            "token_type": "Bearer",
            "scope": returned.join(" "),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
            "client_info": util::b64url(json!({"uid": user.oid, "utid": user.tid}).to_string().as_bytes()),
        });
        if requested.has("offline_access") {
            body["refresh_token"] = json!(state.tokens.add_refresh(RefreshGrant {
                client_id: self.client.client_id.clone(),
                scope: self.scope.clone(),
                expires_at: self.now + self.shared.config.refresh_token_lifetime.as_secs() as i64,
                state: RefreshState::Active,
            }));
        }
        if requested.has("openid") {
            body["id_token"] = json!(self.id_token(user));
        }
        Ok(body)
    }

    fn id_token(&self, user: &TestUser) -> String {
        let mut claims = json!({
            "aud": self.client.client_id,
            "iss": format!("{}/{}/v2.0", self.shared.base_url, user.tid),
            "iat": self.now, "nbf": self.now, "exp": self.now + 3600,
            "name": user.name,
            "oid": user.oid,
            "preferred_username": user.preferred_username,
            "sub": util::b64url(format!("{}:{}", user.oid, self.client.client_id).as_bytes()),
            "tid": user.tid,
            "ver": "2.0",
        });
        if let Some(nonce) = &self.nonce {
            claims["nonce"] = json!(nonce);
        }
        super::tokens::sign(&claims)
    }

    /// An app-only token for `scope` (which must be `<resource>/.default`).
    fn app_only(&self, state: &mut State, scope: &str) -> OAuthResult<Value> {
        if let Some(bad) = scope.split_whitespace().find(|s| !s.ends_with("/.default")) {
            return Err(OAuthError::new(
                "invalid_scope",
                1_002_012,
                format!(
                    "The provided value for scope {bad} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                ),
            ));
        }
        let (lifetime, expires_at) = self.expiry();
        let tid = &self.shared.config.user.tid;
        let access_token = super::tokens::sign(&json!({
            "aud": GRAPH_RESOURCE.trim_end_matches('/'),
            "iss": format!("{}/{tid}/", self.shared.base_url),
            "iat": self.now, "nbf": self.now, "exp": expires_at,
            "appid": self.client.client_id,
            "idtyp": "app",
            "roles": ["Mail.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite", "User.Read.All"],
            "tid": tid,
            "tenant_path": self.tenant,
            "uti": util::random_token(16),
            "ver": "1.0",
        }));
        state.tokens.add_access(
            access_token.clone(),
            AccessGrant {
                client_id: self.client.client_id.clone(),
                user: None,
                scopes: scope.split_whitespace().map(str::to_owned).collect(),
                expires_at,
            },
        );
        Ok(json!({
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
        }))
    }
}

/// Issues delegated tokens for the test user without a flow (see [`Emulator::issue_user_tokens`]).
pub(crate) fn issue_user_tokens(
    shared: &Shared,
    client_id: &str,
    scope: &str,
) -> crate::Result<Value> {
    let client = shared.config.client(client_id).ok_or_else(|| {
        crate::Error::config(format!(
            "client {client_id} is not registered with the emulator"
        ))
    })?;
    let issue = Issue {
        shared,
        client,
        tenant: "common",
        user: Some(&shared.config.user),
        nonce: None,
        scope: scope.to_owned(),
        now: shared.now(),
    };
    issue
        .delegated(&mut shared.state())
        .map_err(|e| crate::Error::identity(format!("AADSTS{}: {}", e.code, e.description)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_and_strip_the_graph_prefix() {
        let s =
            Scopes::parse("https://graph.microsoft.com/Mail.Read offline_access openid User.Read");
        assert_eq!(s.resource, vec!["Mail.Read", "User.Read"]);
        assert_eq!(s.oidc, vec!["offline_access", "openid"]);
        assert!(s.has("openid") && !s.has("profile"));
    }

    #[test]
    fn pkce_challenge_matches_rfc7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
