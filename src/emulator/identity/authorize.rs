//! The browser's `/authorize` endpoint (codes with PKCE, nonce and state) and `/devicecode`.

use http::StatusCode;
use serde_json::json;

use super::{CODE_LIFETIME, Form, OAuthResult, client};
use crate::emulator::data::tokens::{AuthCode, DeviceGrant};
use crate::emulator::state::Shared;
use crate::emulator::util;
use crate::emulator::wire::{Reply, Req};

/// The client id and redirect URI of an authorize request, or the error page shown (not
/// redirected) when the client is unknown or the redirect URI is not registered for it.
fn client_redirect<'a>(shared: &Shared, req: &'a Req) -> Result<(&'a str, &'a str), Reply> {
    let page = |code: u32, text: String| {
        Reply::html(StatusCode::BAD_REQUEST, &format!("AADSTS{code}: {text}"))
    };
    let Some(client_id) = req.query_param("client_id") else {
        return Err(page(
            900_144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        ));
    };
    let Some(client) = shared.config.client(client_id) else {
        return Err(page(
            700_016,
            format!("Application with identifier '{client_id}' was not found in the directory."),
        ));
    };
    let redirect_uri = req.query_param("redirect_uri").unwrap_or_default();
    if !client.accepts_redirect(redirect_uri) {
        return Err(page(
            50_011,
            format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."
            ),
        ));
    }
    Ok((client_id, redirect_uri))
}

/// `GET /authorize`: consents for the test user at once and redirects with a code (PKCE S256,
/// nonce and state kept), or with the error.
pub(super) fn authorize(shared: &Shared, req: &Req) -> Reply {
    let (client_id, redirect_uri) = match client_redirect(shared, req) {
        Ok(found) => found,
        Err(page) => return page,
    };
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
    let session_state = util::uuid4();
    redirect(vec![("code", &code), ("session_state", &session_state)])
}

/// `POST /devicecode`: a device code and user code for the client and scope.
pub(super) fn devicecode(shared: &Shared, req: &Req) -> OAuthResult<Reply> {
    let form = Form(req.form());
    let client = client(shared, form.require("client_id")?)?;
    let scope = form.require("scope")?;
    let device = &shared.config.device;
    let device_code = format!(
        "DAQABIQEAAABVrSpeuWamRam2jAF1XRQE{}",
        util::urlsafe_token(48)
    );
    let user_code: String = util::urlsafe_token(12)
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
