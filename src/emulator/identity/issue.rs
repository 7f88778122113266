//! Issuing tokens: delegated (access, refresh, id token) for the test user, app-only for a
//! confidential client, with the scope and consent checks the platform makes.

use serde_json::{Value, json};

use super::{GRAPH_RESOURCE, OAuthError, OAuthResult, OIDC_SCOPES};
use crate::emulator::config::{ClientApp, TestUser};
use crate::emulator::data::tokens::{self, AccessGrant, RefreshGrant, RefreshState};
use crate::emulator::state::{Shared, State};
use crate::emulator::util;

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
pub(super) struct Issue<'a> {
    pub(super) shared: &'a Shared,
    pub(super) client: &'a ClientApp,
    pub(super) tenant: &'a str,
    pub(super) user: Option<&'a TestUser>,
    pub(super) nonce: Option<String>,
    pub(super) scope: String,
    pub(super) now: i64,
}

impl Issue<'_> {
    fn expiry(&self) -> (u64, i64) {
        let lifetime = self.shared.config.access_token_lifetime.as_secs();
        (lifetime, self.now + lifetime as i64)
    }

    /// Signs a Graph access token issued by tenant `tid`: the claims every token has (audience,
    /// issuer, times, app id), then `claims`, then a unique id and the version; and records it
    /// so the Graph routes accept it for `user` and `scopes` until it expires.
    fn access_token(
        &self,
        state: &mut State,
        tid: &str,
        claims: Value,
        user: Option<String>,
        scopes: Vec<String>,
    ) -> String {
        let (_, expires_at) = self.expiry();
        let mut all = json!({
            "aud": GRAPH_RESOURCE.trim_end_matches('/'),
            "iss": format!("{}/{tid}/", self.shared.base_url),
            "iat": self.now, "nbf": self.now, "exp": expires_at,
            "appid": self.client.client_id,
        });
        if let (Some(all), Value::Object(claims)) = (all.as_object_mut(), claims) {
            all.extend(claims);
            all.insert("uti".into(), json!(util::urlsafe_token(16)));
            all.insert("ver".into(), json!("1.0"));
        }
        let access_token = tokens::sign(&all);
        state.tokens.add_access(
            access_token.clone(),
            AccessGrant {
                client_id: self.client.client_id.clone(),
                user,
                scopes,
                expires_at,
            },
        );
        access_token
    }

    /// Tokens for the test user: access, refresh (with `offline_access`), id (with `openid`).
    pub(super) fn delegated(&self, state: &mut State) -> OAuthResult<Value> {
        let user = self.user.unwrap_or(&self.shared.config.user);
        let requested = Scopes::parse(&self.scope);
        let scopes = self.consented_scopes(&requested)?;
        let (lifetime, _) = self.expiry();
        let claims = json!({
            "idtyp": "user",
            "name": user.name,
            "oid": user.oid,
            "scp": scopes.join(" "),
            "tid": user.tid,
            "upn": user.preferred_username,
        });
        let access_token = self.access_token(
            state,
            &user.tid,
            claims,
            Some(user.oid.clone()),
            scopes.clone(),
        );
        let mut body = json!({
            "token_type": "Bearer",
            "scope": returned_scope(&scopes, &requested),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
            "client_info": util::b64url(json!({"uid": user.oid, "utid": user.tid}).to_string().as_bytes()),
        });
        if requested.has("offline_access") {
            body["refresh_token"] = json!(self.refresh_token(state));
        }
        if requested.has("openid") {
            body["id_token"] = json!(self.id_token(user));
        }
        Ok(body)
    }

    /// The resource scopes to grant (`.default`: what the client was granted, else
    /// `User.Read`); `consent_required` when one is outside the client's granted scopes.
    fn consented_scopes(&self, requested: &Scopes) -> OAuthResult<Vec<String>> {
        let granted = self.client.granted_scopes.as_deref();
        let mut scopes: Vec<String> = requested
            .resource
            .iter()
            .filter(|s| *s != ".default")
            .cloned()
            .collect();
        if requested.resource.iter().any(|s| s == ".default") {
            scopes.extend(granted.map_or_else(|| vec!["User.Read".into()], <[String]>::to_vec));
        }
        if scopes.is_empty() {
            scopes.push("User.Read".into());
        }
        if let Some(granted) = granted
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
        Ok(scopes)
    }

    /// A new refresh token for this client and scope.
    fn refresh_token(&self, state: &mut State) -> String {
        state.tokens.add_refresh(RefreshGrant {
            client_id: self.client.client_id.clone(),
            scope: self.scope.clone(),
            expires_at: self.now + self.shared.config.refresh_token_lifetime.as_secs() as i64,
            state: RefreshState::Active,
        })
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
        tokens::sign(&claims)
    }

    /// An app-only token for `scope` (which must be `<resource>/.default`).
    pub(super) fn app_only(&self, state: &mut State, scope: &str) -> OAuthResult<Value> {
        if let Some(bad) = scope.split_whitespace().find(|s| !s.ends_with("/.default")) {
            return Err(OAuthError::new(
                "invalid_scope",
                1_002_012,
                format!(
                    "The provided value for scope {bad} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                ),
            ));
        }
        let (lifetime, _) = self.expiry();
        let tid = &self.shared.config.user.tid;
        let claims = json!({
            "idtyp": "app",
            "roles": ["Mail.ReadWrite", "Calendars.ReadWrite", "Contacts.ReadWrite", "User.Read.All"],
            "tid": tid,
            "tenant_path": self.tenant,
        });
        let scopes = scope.split_whitespace().map(str::to_owned).collect();
        let access_token = self.access_token(state, tid, claims, None, scopes);
        Ok(json!({
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access_token,
        }))
    }
}

/// The `scope` of a delegated token response: the granted scopes, then the OIDC ones asked for
/// (`email` also with `openid`).
fn returned_scope(scopes: &[String], requested: &Scopes) -> String {
    let returned: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .chain(
            ["openid", "profile", "email"]
                .into_iter()
                .filter(|s| requested.has(s) || (*s == "email" && requested.has("openid"))),
        )
        .collect();
    returned.join(" ")
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
}
