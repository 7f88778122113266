//! The `o365` binary against an in-process emulator: each test starts an emulator on a tokio
//! runtime of its own and runs the binary with `--base-url`/`--authority` pointing at it and a
//! temporary token cache.
#![allow(dead_code)]

use std::time::Duration;

use assert_cmd::Command;
use assert_cmd::cargo::CommandCargoExt;
use o365::emulator::{Emulator, PUBLIC_CLIENT_ID};
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

/// Environment variables that would leak settings from the machine into a test.
pub const CLEARED: [&str; 16] = [
    "O365_CONFIG",
    "O365_CLIENT_ID",
    "O365_CLIENT_SECRET",
    "O365_TENANT_ID",
    "O365_TOKEN_PATH",
    "O365_CLOUD",
    "O365_BASE_URL",
    "O365_AUTHORITY",
    "O365_PROXY",
    "O365_USERNAME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// An emulator, its runtime, and a private home for the binary's config and token cache.
pub struct Env {
    /// The emulator.
    pub emulator: Emulator,
    /// The test's private directory (config, data, token cache).
    pub dir: TempDir,
    /// The runtime the emulator runs on.
    pub runtime: tokio::runtime::Runtime,
}

impl Env {
    /// Starts an emulator that approves device codes at once.
    pub fn start() -> Env {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emulator = runtime.block_on(async {
            Emulator::builder()
                .device_code_interval(Duration::ZERO)
                .device_code_polls_before_approval(0)
                .start()
                .await
                .unwrap()
        });
        Env {
            emulator,
            dir: tempfile::tempdir().unwrap(),
            runtime,
        }
    }

    /// The binary with only this test's settings, as a std command (to spawn it).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::cargo_bin("o365").unwrap();
        for name in CLEARED {
            cmd.env_remove(name);
        }
        cmd.env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("NO_COLOR", "1")
            .args(["--base-url", self.emulator.base_url()])
            .args(["--authority", self.emulator.authority()])
            .arg("--token-path")
            .arg(self.token_path());
        cmd
    }

    /// The binary with only this test's settings (no client id: tests add it when needed).
    pub fn bare(&self) -> Command {
        let mut cmd = Command::from_std(self.std_cmd());
        cmd.timeout(Duration::from_secs(60));
        cmd
    }

    /// The binary with the emulator's public client id.
    pub fn cmd(&self) -> Command {
        let mut cmd = self.bare();
        cmd.args(["--client-id", PUBLIC_CLIENT_ID]);
        cmd
    }

    /// The token cache file.
    pub fn token_path(&self) -> std::path::PathBuf {
        self.dir.path().join("token.json")
    }

    /// Signs in with the device-code flow (approved at once).
    pub fn login(&self) {
        self.cmd()
            .args(["login", "--flow", "device"])
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "signed in as AdeleV@contoso.onmicrosoft.com",
            ));
    }

    /// Runs `args` and parses stdout as JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_slice(&self.stdout(args)).unwrap()
    }

    /// Runs `args`, which must succeed, and returns stdout as text.
    pub fn text(&self, args: &[&str]) -> String {
        String::from_utf8(self.stdout(args)).unwrap()
    }

    /// Runs `args`, which must succeed, and returns stdout.
    pub fn stdout(&self, args: &[&str]) -> Vec<u8> {
        self.cmd()
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    }

    /// Runs `args` and parses stdout as NDJSON.
    pub fn ndjson(&self, args: &[&str]) -> Vec<Value> {
        self.text(args)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}
