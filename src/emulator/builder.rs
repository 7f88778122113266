//! [`EmulatorBuilder`]: the emulator's settings, and starting its server.

use std::sync::Arc;
use std::time::Duration;

use super::config::{ClientApp, Config, TestUser};
use super::state::Shared;
use super::{Emulator, server};
use crate::clock::{Clock, SystemClock};

/// Configures an [`Emulator`] (from [`Emulator::builder`]).
#[derive(Debug, Default)]
pub struct EmulatorBuilder {
    config: Config,
    clock: Option<Arc<dyn Clock>>,
    port: u16,
}

impl EmulatorBuilder {
    /// Registers an application. Without any, [`PUBLIC_CLIENT_ID`](super::PUBLIC_CLIENT_ID) and [`CONFIDENTIAL_CLIENT_ID`](super::CONFIDENTIAL_CLIENT_ID)
    /// (secret [`CONFIDENTIAL_CLIENT_SECRET`](super::CONFIDENTIAL_CLIENT_SECRET)) are registered with [`DEFAULT_REDIRECT_URIS`](super::DEFAULT_REDIRECT_URIS).
    pub fn client(mut self, app: ClientApp) -> EmulatorBuilder {
        self.config.clients.push(app);
        self
    }

    /// Sets the signed-in test user (default: [`TestUser::default`]).
    pub fn user(mut self, user: TestUser) -> EmulatorBuilder {
        self.config.user = user;
        self
    }

    /// Lifetime of issued access tokens (`expires_in`; default 3600 s).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> EmulatorBuilder {
        self.config.access_token_lifetime = lifetime;
        self
    }

    /// Lifetime of issued refresh tokens (default 90 days).
    pub fn refresh_token_lifetime(mut self, lifetime: Duration) -> EmulatorBuilder {
        self.config.refresh_token_lifetime = lifetime;
        self
    }

    /// Number of device-code polls answered `authorization_pending` before approval (default 1).
    pub fn device_code_polls_before_approval(mut self, polls: u32) -> EmulatorBuilder {
        self.config.device.polls_before_approval = polls;
        self
    }

    /// The device-code polling `interval`; polling faster gets `slow_down` (default 5 s).
    pub fn device_code_interval(mut self, interval: Duration) -> EmulatorBuilder {
        self.config.device.interval = interval;
        self
    }

    /// How long a device code stays valid (`expires_in`; default 900 s).
    pub fn device_code_lifetime(mut self, lifetime: Duration) -> EmulatorBuilder {
        self.config.device.lifetime = lifetime;
        self
    }

    /// Adds a user-assigned managed identity (by its client id) to the emulated host. Without
    /// any, [`USER_ASSIGNED_CLIENT_ID`](super::USER_ASSIGNED_CLIENT_ID) is configured.
    pub fn user_assigned_identity(mut self, client_id: impl Into<String>) -> EmulatorBuilder {
        self.config.managed.user_assigned.push(client_id.into());
        self
    }

    /// Sets the system-assigned identity's client id (default [`SYSTEM_ASSIGNED_CLIENT_ID`](super::SYSTEM_ASSIGNED_CLIENT_ID));
    /// `None`: the host has none, and a request without `client_id` is refused.
    pub fn system_assigned_identity(mut self, client_id: Option<String>) -> EmulatorBuilder {
        self.config.managed.system_assigned = client_id;
        self
    }

    /// The App Service `IDENTITY_HEADER` secret its endpoint expects in `X-IDENTITY-HEADER`
    /// (default [`IDENTITY_HEADER`](super::IDENTITY_HEADER)).
    pub fn identity_header(mut self, secret: impl Into<String>) -> EmulatorBuilder {
        self.config.managed.identity_header = secrecy::SecretString::from(secret.into());
        self
    }

    /// The clock deciding token and code expiry (default: the system clock). A
    /// [`ManualClock`](crate::clock::ManualClock) lets tests expire tokens without waiting.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> EmulatorBuilder {
        self.clock = Some(clock);
        self
    }

    /// The port to bind on `127.0.0.1` (default 0: a free one).
    pub fn port(mut self, port: u16) -> EmulatorBuilder {
        self.port = port;
        self
    }

    /// Binds `127.0.0.1:0` (or [`EmulatorBuilder::port`]) and starts serving on the current
    /// tokio runtime.
    pub async fn start(self) -> crate::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|e| {
                crate::Error::config("the emulator could not bind 127.0.0.1").with_source(e)
            })?;
        let addr = listener.local_addr().map_err(|e| {
            crate::Error::config("the emulator has no local address").with_source(e)
        })?;
        let shared = Arc::new(Shared::new(
            self.config.with_default_clients(),
            self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            format!("http://{addr}"),
        ));
        let task = tokio::spawn(server::run(listener, shared.clone()));
        Ok(Emulator {
            shared,
            addr,
            task: Some(task),
        })
    }
}
