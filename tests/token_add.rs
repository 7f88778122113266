//! `TokenCache::add_token_response`: keys, replacement rules, app-only responses, bad id tokens,
//! and Debug output that never shows a secret.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use o365::ErrorKind;
use o365::token::{
    AccountSelector, CacheContext, MemoryTokenBackend, TokenCache, TokenResponse, TokenStore,
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const CLIENT: &str = "cid-1";
const ENV: &str = "login.microsoftonline.com";
const NOW: u64 = 1_800_000_000;

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn jwt(claims: Value) -> String {
    format!("{}.{}.sig", b64(&json!({"alg": "none"})), b64(&claims))
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn ctx(realm: &str, grant_type: &str) -> CacheContext {
    CacheContext {
        client_id: CLIENT.into(),
        environment: ENV.into(),
        realm: realm.into(),
        grant_type: grant_type.into(),
        requested_scopes: vec!["https://graph.microsoft.com/.default".into()],
    }
}

fn response(value: Value) -> TokenResponse {
    serde_json::from_value(value).unwrap()
}

/// A delegated response for user `uid` in tenant `tid`.
fn user_response(uid: &str, scope: &str, at: &str, rt: &str) -> TokenResponse {
    response(json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": 3600,
        "access_token": at,
        "refresh_token": rt,
        "id_token": jwt(json!({"oid": uid, "tid": "tid-1", "sub": format!("sub-{uid}"),
                               "preferred_username": format!("{uid}@contoso.example")})),
        "client_info": b64(&json!({"uid": uid, "utid": "tid-1"})),
    }))
}

fn secrets_of(cache: &TokenCache) -> Vec<String> {
    let mut all: Vec<String> = cache
        .access_tokens()
        .values()
        .map(|t| t.secret.expose_secret().to_owned())
        .collect();
    all.extend(
        cache
            .refresh_tokens()
            .values()
            .map(|t| t.secret.expose_secret().to_owned()),
    );
    all
}

#[test]
fn delegated_response_writes_msal_keys_and_account() {
    let mut cache = TokenCache::default();
    let account = cache
        .add_token_response(
            &user_response("uid-ada", "User.Read Mail.Read openid", "at-ada", "rt-ada"),
            &ctx("common", "authorization_code"),
            now(),
        )
        .unwrap()
        .unwrap();
    assert_eq!(account.home_account_id.as_deref(), Some("uid-ada.tid-1"));
    assert_eq!(account.username, "uid-ada@contoso.example");
    assert_eq!(account.local_account_id.as_deref(), Some("uid-ada"));
    assert_eq!(account.realm, "common");
    assert_eq!(
        account.account_source.as_deref(),
        Some("authorization_code")
    );

    let keys = |names: Vec<&String>| names.into_iter().cloned().collect::<Vec<_>>();
    // Each section's one key.
    for (section, found, expected) in [
        (
            "AccessToken",
            keys(cache.access_tokens().keys().collect()),
            "uid-ada.tid-1-login.microsoftonline.com-accesstoken-cid-1-common-mail.read user.read openid",
        ),
        (
            "RefreshToken",
            keys(cache.refresh_tokens().keys().collect()),
            "uid-ada.tid-1-login.microsoftonline.com-refreshtoken-cid-1--mail.read user.read openid",
        ),
        (
            "IdToken",
            keys(cache.id_tokens().keys().collect()),
            "uid-ada.tid-1-login.microsoftonline.com-idtoken-cid-1-common-",
        ),
        (
            "Account",
            keys(cache.accounts().keys().collect()),
            "uid-ada.tid-1-login.microsoftonline.com-common",
        ),
        (
            "AppMetadata",
            keys(cache.app_metadata().keys().collect()),
            "appmetadata-login.microsoftonline.com-cid-1",
        ),
    ] {
        assert_eq!(found, [expected], "{section}");
    }
    let at = cache.get_access_token(None).unwrap();
    assert_eq!(at.target, "Mail.Read User.Read openid");
    assert_eq!(at.cached_at, NOW.to_string());
    assert_eq!(at.expires_on, (NOW + 3600).to_string());
    assert_eq!(at.extended_expires_on, (NOW + 3600).to_string());
    assert_eq!(at.refresh_on, None);
}

#[test]
fn second_account_coexists() {
    let mut cache = TokenCache::default();
    let c = ctx("common", "authorization_code");
    cache
        .add_token_response(
            &user_response("ada", "Mail.Read", "at-ada", "rt-ada"),
            &c,
            now(),
        )
        .unwrap();
    cache
        .add_token_response(
            &user_response("bob", "Mail.Read", "at-bob", "rt-bob"),
            &c,
            now(),
        )
        .unwrap();
    assert_eq!(cache.get_all_accounts().len(), 2);
    assert_eq!(secrets_of(&cache), ["at-ada", "at-bob", "rt-ada", "rt-bob"]);
    assert_eq!(
        cache
            .get_access_token(Some("bob@contoso.example"))
            .unwrap()
            .secret
            .expose_secret(),
        "at-bob"
    );
}

#[test]
fn overlapping_scopes_replace_the_accounts_older_tokens() {
    let mut cache = TokenCache::default();
    let c = ctx("common", "authorization_code");
    let add = |cache: &mut TokenCache, r: TokenResponse| {
        cache.add_token_response(&r, &c, now()).unwrap();
    };
    add(
        &mut cache,
        user_response("ada", "Mail.Read User.Read", "at-1", "rt-1"),
    );
    add(
        &mut cache,
        user_response("bob", "Mail.Read", "at-bob", "rt-bob"),
    );
    // Disjoint scopes for ada: both access tokens stay; the refresh token is replaced.
    add(
        &mut cache,
        user_response("ada", "Files.Read", "at-2", "rt-2"),
    );
    assert_eq!(
        secrets_of(&cache),
        ["at-1", "at-bob", "at-2", "rt-bob", "rt-2"]
    );
    // Overlapping scopes: ada's older tokens sharing a scope go, bob's stay.
    add(
        &mut cache,
        user_response("ada", "Calendars.Read Mail.Read", "at-3", "rt-3"),
    );
    assert_eq!(
        secrets_of(&cache),
        ["at-bob", "at-2", "at-3", "rt-bob", "rt-3"]
    );
    assert_eq!(
        cache
            .get_token_scopes(Some("ada@contoso.example"), false)
            .unwrap(),
        ["Calendars.Read", "Mail.Read"]
    );
}

#[test]
fn client_credentials_response_has_no_account() {
    let mut cache = TokenCache::default();
    let r = response(json!({"token_type": "Bearer", "expires_in": "3599",
                            "ext_expires_in": 7200, "access_token": "app-at"}));
    let account = cache
        .add_token_response(&r, &ctx("tenant-x", "client_credentials"), now())
        .unwrap();
    assert_eq!(account, None);
    let (key, at) = cache.access_tokens().first().unwrap();
    assert_eq!(
        key,
        "-login.microsoftonline.com-accesstoken-cid-1-tenant-x-https://graph.microsoft.com/.default"
    );
    assert_eq!(at.home_account_id, None);
    assert_eq!(at.expires_on, (NOW + 3599).to_string());
    assert_eq!(at.extended_expires_on, (NOW + 7200).to_string());
    assert!(cache.accounts().is_empty() && cache.refresh_tokens().is_empty());
    let json: Value = serde_json::from_str(&cache.to_json()).unwrap();
    let sections: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(sections, ["AccessToken", "AppMetadata"]);
    assert_eq!(json["AccessToken"][key]["home_account_id"], Value::Null);
    assert!(!cache.token_is_expired(None, now()));

    // A second app token for the same scope replaces the first.
    let r = response(json!({"expires_in": 60, "access_token": "app-at-2"}));
    cache
        .add_token_response(&r, &ctx("tenant-x", "client_credentials"), now())
        .unwrap();
    assert_eq!(secrets_of(&cache), ["app-at-2"]);
    assert_eq!(cache.get_access_token(None).unwrap().token_type, "Bearer");
}

#[test]
fn lifetimes_default_like_msal() {
    let mut cache = TokenCache::default();
    let c = ctx("t", "client_credentials");
    let r = response(json!({"access_token": "a", "expires_on": NOW + 100, "refresh_in": 50}));
    cache.add_token_response(&r, &c, now()).unwrap();
    let at = cache.get_access_token(None).unwrap();
    assert_eq!(at.expires_on, (NOW + 100).to_string());
    assert_eq!(at.refresh_on, Some((NOW + 50).to_string()));

    let r = response(json!({"access_token": "b"}));
    cache.add_token_response(&r, &c, now()).unwrap();
    assert_eq!(
        cache.get_access_token(None).unwrap().expires_on,
        (NOW + 600).to_string()
    );
}

#[test]
fn id_token_without_client_info_uses_sub() {
    let mut cache = TokenCache::default();
    let r = response(json!({"access_token": "a", "scope": "User.Read",
        "id_token": jwt(json!({"sub": "the-sub", "upn": "u@adfs.example"}))}));
    let account = cache
        .add_token_response(&r, &ctx("adfs", "password"), now())
        .unwrap()
        .unwrap();
    assert_eq!(account.home_account_id.as_deref(), Some("the-sub"));
    assert_eq!(account.local_account_id.as_deref(), Some("the-sub"));
    assert_eq!(account.username, "u@adfs.example");
    assert_eq!(account.authority_type, "ADFS");
}

#[test]
fn malformed_id_token_is_an_error_and_changes_nothing() {
    let mut cache = TokenCache::default();
    cache
        .add_token_response(
            &user_response("ada", "Mail.Read", "at-ada", "rt-ada"),
            &ctx("common", "authorization_code"),
            now(),
        )
        .unwrap();
    let before = cache.to_json();
    let not_json = format!("x.{}.y", URL_SAFE_NO_PAD.encode("not json"));
    for bad in [
        "no-dots-at-all",
        "a.!!!not base64!!!.c",
        not_json.as_str(),
        "a.W10.c",
    ] {
        let r = response(json!({"access_token": "secret-at", "id_token": bad}));
        let err = cache
            .add_token_response(&r, &ctx("common", "authorization_code"), now())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{bad}");
        assert!(!err.to_string().contains(bad), "{err}");
    }
    let r = response(json!({"access_token": "secret-at", "client_info": "%%%"}));
    let err = cache
        .add_token_response(&r, &ctx("common", "authorization_code"), now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(cache.to_json(), before);
}

#[test]
fn debug_output_never_shows_secrets() {
    let mut cache = TokenCache::default();
    let r = user_response("ada", "Mail.Read", "SUPERSECRET-AT", "SUPERSECRET-RT");
    cache
        .add_token_response(&r, &ctx("common", "authorization_code"), now())
        .unwrap();
    let id_token = cache
        .get_id_token(None)
        .unwrap()
        .secret
        .expose_secret()
        .to_owned();
    let store = TokenStore::new(Arc::new(MemoryTokenBackend::new()));
    store.update(|c| *c = cache.clone());

    let dumps = [
        format!("{cache:?}"),
        format!("{cache:#?}"),
        format!("{:?}", cache.get_access_token(None).unwrap()),
        format!("{:?}", cache.get_refresh_token(None).unwrap()),
        format!("{:?}", cache.get_id_token(None).unwrap()),
        format!("{store:?}"),
        format!("{r:?}"),
    ];
    for dump in &dumps {
        assert!(!dump.contains("SUPERSECRET"), "{dump}");
        assert!(!dump.contains(&id_token), "{dump}");
    }
    assert!(dumps[0].contains("uid-ada") || dumps[0].contains("ada.tid-1"));
    // …while the serialized cache does carry them.
    assert!(cache.to_json().contains("SUPERSECRET-AT"));
    assert!(
        cache
            .get_account(AccountSelector::Username("ada@contoso.example"))
            .is_some()
    );
}
