//! `o365 emulator`: the built-in emulator of the identity platform and Graph, served on its own
//! until the process is stopped (Ctrl-C), for trying every command offline and for tests in
//! any language.

use std::io::Write;
use std::time::Duration;

use o365::emulator::{Emulator, PUBLIC_CLIENT_ID, StatusCode};
use serde_json::Value;

use crate::cli::EmulatorArgs;
use crate::failure::{CliResult, Failure};

/// Starts the emulator, prints how to reach it, and serves until the process is stopped.
pub async fn run(args: EmulatorArgs) -> CliResult {
    let emulator = Emulator::builder()
        .port(args.port)
        .device_code_interval(Duration::ZERO)
        .device_code_polls_before_approval(0)
        .start()
        .await?;
    if let Some(path) = &args.seed {
        let seed = read_json(path)?;
        let added = emulator
            .seed(&seed)
            .map_err(|e| Failure::usage(format!("--seed {}: {e}", path.display())))?;
        eprintln!("seeded {added} items from {}", path.display());
    }
    if let Some(path) = &args.script {
        let rules = read_json(path)?;
        apply_script(&emulator, &rules)
            .map_err(|e| Failure::usage(format!("--script {}: {e}", path.display())))?;
    }
    let base = emulator.base_url().to_owned();
    let authority = emulator.authority().to_owned();
    let mut out = std::io::stdout().lock();
    let text = format!(
        "o365 emulator listening on {base} (Ctrl-C stops it; device codes are approved at once)\n\
         flags: --base-url {base} --authority {authority} --client-id {PUBLIC_CLIENT_ID}\n\
         export O365_BASE_URL={base}\n\
         export O365_AUTHORITY={authority}\n\
         export O365_CLIENT_ID={PUBLIC_CLIENT_ID}\n"
    );
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to stdout", e))?;
    drop(out);
    stopped().await?;
    eprintln!("o365 emulator stopped");
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn stopped() -> CliResult {
    let interrupted = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())
            .map_err(|e| Failure::io("cannot listen for SIGTERM", e))?;
        tokio::select! {
            result = interrupted => result.map_err(|e| Failure::io("cannot listen for Ctrl-C", e)),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    interrupted
        .await
        .map_err(|e| Failure::io("cannot listen for Ctrl-C", e))
}

fn read_json(path: &std::path::Path) -> CliResult<Value> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::io(&format!("cannot read {}", path.display()), e))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Failure::usage(format!("{} is not JSON: {e}", path.display())))
}

/// `[{"action": "throttle"|"delay"|"drop"|"throttleEvery"|"claimsChallenge", "count": 1, "path": "/v1.0/",
/// "status": 429, "retryAfter": 2, "delayMs": 500, "n": 3}, …]`.
fn apply_script(emulator: &Emulator, rules: &Value) -> Result<(), String> {
    let rules = rules
        .as_array()
        .ok_or("expected an array of rules like [{\"action\": \"throttle\", \"count\": 1}]")?;
    let script = emulator.script();
    for rule in rules {
        let count = rule["count"].as_u64().unwrap_or(1) as u32;
        let path = rule["path"].as_str().unwrap_or(o365::emulator::GRAPH_PATHS);
        let status = rule["status"].as_u64().unwrap_or(429) as u16;
        let status = StatusCode::from_u16(status).map_err(|e| e.to_string())?;
        let retry_after = Duration::from_secs(rule["retryAfter"].as_u64().unwrap_or(1));
        match rule["action"].as_str() {
            Some("throttle") => script.throttle_next(count, path, status, retry_after),
            Some("throttleEvery") => {
                script.throttle_every(rule["n"].as_u64().unwrap_or(0) as u32, status, retry_after)
            }
            Some("delay") => script.delay_next(
                count,
                path,
                Duration::from_millis(rule["delayMs"].as_u64().unwrap_or(0)),
            ),
            Some("drop") => script.drop_next(count, path),
            Some("claimsChallenge") => script.claims_challenge_next(count, path),
            other => return Err(format!("unknown action {other:?}")),
        }
    }
    Ok(())
}
